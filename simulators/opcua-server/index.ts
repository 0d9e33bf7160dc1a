// OPC UA device simulator: a node-opcua server whose security posture comes from a preset.
//
//   startOpcuaSimulator({ preset: 'weak' | 'hardened', port, host?, pkiDir?,
//                         trustedClientCertificates?, lockoutDurationMs?, process?, spendCpu? })
//     -> RunningOpcuaSimulator
//   OPCUA_PRESETS: the presets as data (see presets.ts)
//
// Everything the simulator writes (its PKI, its certificate) lives in pkiDir, a temp folder by
// default, never in the repository nor in node-opcua's default ~/.config PKI.

import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  UserTokenPolicy,
  UserTokenType,
} from 'node-opcua';
import { writeSelfSignedAppCertificate } from '../../src/protocols/opcua/app-certificate.js';
import { OPCUA_PRESETS, type OpcuaPreset, type OpcuaPresetName, type SecurityModeName } from './presets.js';
import { buildPlant, PLANT_NAMESPACE_URI, type PlantProcess, type RunningPlant } from './process-model.js';
import { busyWait } from './slow-cpu.js';
import { createUserManager } from './user-manager.js';

export { OPCUA_PRESETS } from './presets.js';
export type { OpcuaPreset, OpcuaPresetName, SecurityPolicyName, SecurityModeName, SimulatedUser } from './presets.js';
export { PLANT_NODE_IDS, PLANT_NAMESPACE_URI, SCAN_INTERVAL_MS } from './process-model.js';
export type { PlantProcess } from './process-model.js';
export { LoginLockout } from './lockout.js';

export interface OpcuaSimulatorOptions {
  preset: OpcuaPresetName;
  /** TCP port; 0 lets the OS choose (read it back from RunningOpcuaSimulator.port). */
  port: number;
  /** Listen address, also advertised in the endpoint URLs. Default 127.0.0.1. */
  host?: string;
  /** PKI folder; default a fresh temp folder, removed on stop(). */
  pkiDir?: string;
  /** Client application certificates (PEM or DER files) the server trusts when the preset trusts no one by default. */
  trustedClientCertificates?: string[];
  /** Lockout duration when the preset has a lockout; default 60 s. */
  lockoutDurationMs?: number;
  /** The process the Plant nodes show, e.g. the Modbus PLC simulator's; default a tank with its own scan. */
  process?: PlantProcess;
  /**
   * Where the preset's channel and session costs are spent. Default: at once, blocking the process. A PLC
   * whose comms run inside its scan passes its own, so the cost lands in (and stretches) the scan.
   */
  spendCpu?: (ms: number) => void;
}

export interface RunningOpcuaSimulator {
  endpointUrl: string;
  port: number;
  applicationUri: string;
  preset: OpcuaPresetName;
  stop(): Promise<void>;
}

const DEFAULT_LOCKOUT_MS = 60_000;

export async function startOpcuaSimulator(o: OpcuaSimulatorOptions): Promise<RunningOpcuaSimulator> {
  const preset = OPCUA_PRESETS[o.preset];
  const host = o.host ?? '127.0.0.1';
  const ownsPkiDir = o.pkiDir === undefined;
  const pkiDir = o.pkiDir ?? (await mkdtemp(join(tmpdir(), 'otconform-opcua-sim-')));

  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch {
        // best effort: stop() must not fail half-way and leave the rest running
      }
    }
  };
  if (ownsPkiDir) cleanups.push(() => rm(pkiDir, { recursive: true, force: true }));

  try {
    const serverPki = join(pkiDir, 'server');
    // Placed where node-opcua looks for its own certificate, so it never generates a default one.
    await writeSelfSignedAppCertificate(
      {
        applicationUri: preset.applicationUri,
        commonName: preset.applicationName,
        organization: preset.buildInfo.manufacturerName,
        keyBits: preset.serverCertificate.keyBits,
        signatureHash: preset.serverCertificate.signatureHash,
        // node-opcua warns (W26) unless the machine's own name is in the SAN too.
        dnsNames: [...new Set(['localhost', hostname()])],
        ipAddresses: [host],
      },
      {
        certificateFile: join(serverPki, 'own', 'certs', 'certificate.pem'),
        privateKeyFile: join(serverPki, 'own', 'private', 'private_key.pem'),
      },
    );
    const serverCertificateManager = new OPCUACertificateManager({
      rootFolder: serverPki,
      automaticallyAcceptUnknownCertificate: preset.acceptUnknownClientCertificates,
      disableFileWatchers: true, // no fs watchers: they keep the process alive and are not needed here
    });
    const userCertificateManager = new OPCUACertificateManager({
      rootFolder: join(pkiDir, 'user'),
      automaticallyAcceptUnknownCertificate: false,
      disableFileWatchers: true,
    });
    cleanups.push(() => serverCertificateManager.dispose());
    cleanups.push(() => userCertificateManager.dispose());
    await serverCertificateManager.initialize();
    for (const file of o.trustedClientCertificates ?? []) {
      await serverCertificateManager.trustCertificate(await readCertificateDer(file));
    }

    const users = createUserManager(
      preset.users,
      preset.lockout && { ...preset.lockout, lockoutDurationMs: o.lockoutDurationMs ?? DEFAULT_LOCKOUT_MS },
      preset.passwordCheck,
    );
    const server = new OPCUAServer({
      port: o.port,
      host,
      hostname: host,
      serverCertificateManager,
      userCertificateManager,
      securityPolicies: preset.securityPolicies.map((p) => SecurityPolicy[p]),
      securityModes: preset.securityModes.map(toMessageSecurityMode),
      allowAnonymous: preset.allowAnonymous,
      userManager: users.options,
      serverCapabilities: { maxSessions: preset.maxSessions },
      maxConnectionsPerEndpoint: preset.maxConnectionsPerEndpoint,
      serverInfo: {
        applicationUri: preset.applicationUri,
        productUri: preset.buildInfo.productUri,
        applicationName: { text: preset.applicationName, locale: 'en' },
      },
      buildInfo: buildInfoOf(preset),
      // The plant namespace must be ns=1; node-opcua would otherwise give ns=1 to the applicationUri.
      skipOwnNamespace: true,
    });
    cleanups.push(() => server.shutdown(0));

    await server.initialize();
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('node-opcua server has no address space after initialize()');
    addressSpace.registerNamespace(PLANT_NAMESPACE_URI);
    const plant: RunningPlant = buildPlant(addressSpace, preset, o.process);
    cleanups.push(() => plant.stop());
    cleanups.push(modelSlowCpu(server, preset, o.spendCpu ?? busyWait));

    if (preset.allowUnsecurePassword) offerCleartextPasswordOnNoneEndpoints(server);

    await server.start();
    // The listening port, in case the caller passed 0 and let the OS choose.
    const port = server.endpoints[0]?.port ?? o.port;
    const endpointUrl = `opc.tcp://${host}:${port}`;
    let stopping: Promise<void> | null = null;
    return {
      endpointUrl,
      port,
      applicationUri: preset.applicationUri,
      preset: o.preset,
      stop: () => (stopping ??= cleanup()),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * node-opcua 2.182 ignores its allowUnsecurePassword option (a TODO in OPCUAServer), so we add the
 * UserTokenPolicy it would have added: UserName with no encryption policy on the None endpoint.
 * The server then accepts the password in clear, as legacy devices do.
 */
function offerCleartextPasswordOnNoneEndpoints(server: OPCUAServer): void {
  for (const endpoint of server.endpoints.flatMap((e) => e.endpointDescriptions())) {
    if (endpoint.securityPolicyUri !== SecurityPolicy.None) continue;
    endpoint.userIdentityTokens = [
      new UserTokenPolicy({ policyId: 'username_unsecure', tokenType: UserTokenType.UserName, securityPolicyUri: null }),
      ...(endpoint.userIdentityTokens ?? []),
    ];
  }
}

/** Channel and session set-up cost the preset's busy CPU, like a device with one slow CPU. */
function modelSlowCpu(server: OPCUAServer, preset: OpcuaPreset, spend: (ms: number) => void): () => void {
  if (preset.costPerChannelMs > 0) server.on('newChannel', () => spend(preset.costPerChannelMs));
  if (preset.costPerSessionMs > 0) server.on('create_session', () => spend(preset.costPerSessionMs));
  if (preset.costPerOpenSessionMs <= 0) return () => undefined;
  const timer = setInterval(() => {
    const open = server.engine?.currentSessionCount ?? 0;
    if (open > 0) spend(open * preset.costPerOpenSessionMs);
  }, 100);
  timer.unref();
  return () => clearInterval(timer);
}

function toMessageSecurityMode(mode: SecurityModeName): MessageSecurityMode {
  return MessageSecurityMode[mode];
}

function buildInfoOf(preset: OpcuaPreset) {
  const b = preset.buildInfo;
  return {
    manufacturerName: b.manufacturerName,
    productName: b.productName,
    productUri: b.productUri,
    softwareVersion: b.softwareVersion,
    buildNumber: b.buildNumber,
    // 1601-01-01 is OPC UA's null DateTime; omitting it would make node-opcua report its own default.
    buildDate: new Date(b.buildDate ?? Date.UTC(1601, 0, 1)),
  };
}

/** X509Certificate accepts PEM and DER alike and hands back the DER node-opcua stores. */
async function readCertificateDer(file: string): Promise<Buffer> {
  return new X509Certificate(await readFile(file)).raw;
}
