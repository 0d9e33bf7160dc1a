// The command line. Every command goes through run(): user errors become a message and their exit code,
// anything else is an internal error (exit 4) whose stack is shown only with --verbose.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { HarnessError } from '../core/errors.js';
import { EXIT } from '../core/outcomes.js';
import { catalogCommand } from './catalog.js';
import { demoCommand } from './demo.js';
import { DIFF_FORMATS, DIFF_HELP, diffCommand } from './diff.js';
import { keygenCommand } from './keygen.js';
import { verifyCommand } from './verify.js';
import { listCommand } from './list.js';
import { runCommand } from './run.js';
import { schemaCommand, validateCommand } from './profile-commands.js';
import { simCommand, simPlcCommand } from './sim.js';
import { TOOL } from '../core/execute.js';

export function parseSecurityLevel(value: string): 1 | 2 | 3 | 4 {
  const n = Number(value);
  if (![1, 2, 3, 4].includes(n)) throw new InvalidArgumentError('must be 1, 2, 3 or 4');
  return n as 1 | 2 | 3 | 4;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0-65535');
  return n;
}

export function parseBaud(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 50 || n > 4_000_000) throw new InvalidArgumentError('must be a baud rate, e.g. 9600 or 19200');
  return n;
}

const verbosityOptions = (cmd: Command) =>
  cmd
    .addOption(new Option('-v, --verbose', 'show debug logging on the console').conflicts('quiet'))
    .addOption(new Option('-q, --quiet', 'show only warnings and errors on the console'))
    .option('--no-color', 'plain output without ANSI colours');

function buildProgram(): Command {
  const program = new Command('otconform')
    .description('IEC 62443-4-2 security conformance tests for industrial components')
    .version(TOOL.version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  verbosityOptions(
    program
      .command('run')
      .description('run every applicable check against the device a profile describes')
      .requiredOption('-p, --profile <file>', 'device profile (YAML)')
      .option('--sl <level>', 'target SL-C (overrides the profile)', parseSecurityLevel)
      .option('-o, --out <dir>', 'run directory for the report (default: reports/<time>-<model>)')
      .option('--allow-disruptive', 'also run state-change and disruptive checks the profile allows', false)
      .option('--check <ids...>', 'run only these checks')
      .option('--pki <dir>', "folder for otconform's own OPC UA client certificate (default: ~/.config/otconform/pki)")
      .option('--sign <private-key>', 'sign the evidence manifest with this Ed25519 key (from `otconform keygen`)'),
  ).action(runCommand);

  verbosityOptions(
    program
      .command('demo')
      .description('start each bundled simulator preset, run the suite against it, and write a report per preset')
      .option('-o, --out <dir>', 'writes <dir>/<preset>/ per preset (default: reports/demo-<time>)')
      .option('--allow-disruptive', 'also run state-change and disruptive checks', false)
      .option('--preset <names...>', 'only these presets (weak, hardened)')
      .option('--sign <key>', 'sign each run directory with this Ed25519 private key (see keygen)'),
  ).action(demoCommand);

  program
    .command('list')
    .description('list every check with its requirements and safety class (touches no device)')
    .option('--json', 'machine-readable output', false)
    .action(listCommand);

  program
    .command('catalog')
    .description('list the IEC 62443-4-2 requirements in scope')
    .addOption(new Option('--component <type>', 'component type').choices(['EDR', 'HDR', 'NDR', 'SAR']))
    .option('--sl <level>', 'security level', parseSecurityLevel)
    .option('--json', 'machine-readable output', false)
    .action(catalogCommand);

  program.command('validate').description('validate a device profile').argument('<file>').action(validateCommand);

  program
    .command('diff')
    .description('compare two run directories (e.g. firmware build N and N+1): new failures, fixes, evidence drift')
    .argument('<old-run>')
    .argument('<new-run>')
    .option('--baseline <run>', 'an accepted baseline run: what it already had is not reported as new (see below)')
    .addOption(new Option('--format <format>', 'output format').choices(DIFF_FORMATS).default('text'))
    .addHelpText('after', DIFF_HELP)
    .action(diffCommand);

  program
    .command('keygen')
    .description('make an Ed25519 key pair for signing run bundles (`run --sign`)')
    .option('-o, --out <prefix>', 'writes <prefix>.key.pem (mode 0600) and <prefix>.pub.pem', 'otconform-signing')
    .action(keygenCommand);

  program
    .command('verify')
    .description("check a run directory's hashes and signature (exit 5 if anything does not match)")
    .argument('<run-dir>')
    .option('--pubkey <file>', 'also require that the bundle was signed by this public key')
    .action(verifyCommand);

  program
    .command('schema')
    .description('print the device-profile JSON Schema (for editors)')
    .option('-o, --out <file>', 'write it to a file instead')
    .action(schemaCommand);

  const sim = program.command('sim').description('run a bundled device simulator in the foreground');
  verbosityOptions(
    sim
      .command('opcua')
      .description('the OPC UA server simulator')
      .addOption(new Option('--preset <name>', 'weak or hardened').choices(['weak', 'hardened']).makeOptionMandatory())
      .option('--port <n>', 'TCP port (0: any free port; the ready line on stdout names it)', parsePort, 4840)
      .option('--trust <files...>', 'client certificates the hardened preset trusts (default: otconform\'s own)')
      .option('--pki <dir>', 'PKI folder for the simulator (default: a temporary folder)'),
  ).action(simCommand);

  verbosityOptions(
    sim
      .command('plc')
      .description('the Modbus PLC simulator (Modbus TCP, Modbus/TCP Security, RTU), optionally with its OPC UA server')
      .addOption(new Option('--preset <name>', 'weak or hardened').choices(['weak', 'hardened']).makeOptionMandatory())
      .option('--host <address>', 'listen address (default 127.0.0.1)')
      .option('--port <n>', 'Modbus TCP port (default: weak 5020, hardened 5021; 0: any free port)', parsePort)
      .option('--tls-port <n>', 'Modbus/TCP Security port, presets that have it (default 5802; 0: any free port)', parsePort)
      .option('--serial <path>', 'also serve Modbus RTU, unit 1, on this serial port')
      .option('--baud <n>', 'serial baud rate (default 19200)', parseBaud)
      .addOption(new Option('--parity <parity>', 'serial parity (default even)').choices(['none', 'even', 'odd']))
      .option('--opcua-port <n>', "also start the preset's OPC UA server on this port, bound to the same PLC (0: any free port)", parsePort)
      .option('--ssh-port <n>', "also start the device's SSH maintenance shell on this port (0: any free port)", parsePort)
      .option('--https-port <n>', "also start the device's HTTPS web UI on this port (0: any free port)", parsePort)
      .option('--console-port <n>', "weak preset: also start the plaintext Telnet-like console on this port (0: any free port)", parsePort)
      .option('--pki <dir>', 'PKI folder: Modbus/TCP Security and HTTPS certificates, SSH host keys (default $OTCONFORM_SIM_PKI or ~/.config/otconform/sim-pki/<preset>)')
      .option('--trust <files...>', "client certificates the OPC UA server trusts (default: otconform's own)"),
  ).action(simPlcCommand);

  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (err) {
    return reportError(err, argv.includes('--verbose') || argv.includes('-v'));
  }
}

function reportError(err: unknown, verbose: boolean): number {
  if (err instanceof CommanderError) {
    // Commander has printed its message already; --help and --version are not errors.
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof HarnessError) {
    process.stderr.write(`otconform: ${err.message}\n`);
    for (const line of err.details) process.stderr.write(`  - ${line}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`otconform: internal error: ${message}\n`);
  if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  else process.stderr.write('  (run again with --verbose for details, and please report it)\n');
  return EXIT.internal;
}

const code = await main(process.argv);
// node-opcua and pino leave handles open; the CLI decides when the process is done.
process.stdout.write('', () => process.exit(code));
