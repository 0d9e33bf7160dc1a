// `otconform run --profile <file>`: test a device.
import { join } from 'node:path';
import { executeRun } from '../core/execute.js';
import { loadSigningKey } from '../evidence/signing.js';
import type { SecurityLevel } from '../core/outcomes.js';
import { loadProfile } from '../profiles/load.js';
import { createDrivers, defaultPkiDir } from '../protocols/index.js';
import { withInterrupt } from './interrupt.js';
import { terminalStatusLine } from './status-line.js';
import { verbosityOf } from './verbosity.js';

export interface RunFlags {
  profile: string;
  sl?: SecurityLevel;
  out?: string;
  allowDisruptive: boolean;
  check?: string[];
  pki?: string;
  /** Ed25519 private key (PEM) to sign the run's manifest with. */
  sign?: string;
  verbose?: boolean;
  quiet?: boolean;
  color: boolean;
}

export async function runCommand(flags: RunFlags): Promise<void> {
  // A bad key is a usage error before anything touches the device.
  const signer = flags.sign ? loadSigningKey(flags.sign) : undefined;
  const loaded = loadProfile(flags.profile);
  const color = flags.color && process.stdout.isTTY === true;
  const outDir = flags.out ?? join('reports', `${timestamp()}-${slug(loaded.profile.device.model)}`);
  const drivers = await createDrivers({
    pkiDir: flags.pki ?? defaultPkiDir(),
    connectTimeoutMs: loaded.profile.timeouts.connectMs,
    profile: loaded.profile,
    onNewIdentity: (cert) =>
      process.stderr.write(`otconform: created its OPC UA client certificate ${cert}; a device that checks client certificates must trust it\n`),
  });
  const result = await withInterrupt((signal) =>
    executeRun({
      loaded,
      targetSecurityLevel: flags.sl,
      outDir,
      allowDisruptive: flags.allowDisruptive,
      only: flags.check,
      verbosity: verbosityOf(flags),
      color,
      drivers,
      signal,
      print: (line) => process.stdout.write(`${line}\n`),
      status: terminalStatusLine(),
      signer,
    }),
  ).finally(() => drivers.dispose());
  if (signer) {
    process.stdout.write(`Signed ${join(result.runDir, 'evidence/manifest.sig')} with Ed25519 key ${signer.fingerprint}\n`);
  }
  process.exitCode = result.exitCode;
}

export function timestamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[:]/g, '');
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'device';
}
