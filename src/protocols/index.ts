// The protocol drivers the CLI hands to the runner: how to reach each service and which client its checks get.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Protocol } from '../core/outcomes.js';
import type { ServiceOf } from '../core/testcase.js';
import type { Transcript } from '../core/transcript.js';
import { nullTranscript } from '../core/transcript.js';
import { watchEssentialFunction, type MonitorSources, type ValueReader } from '../monitor/index.js';
import type { Credential, EssentialFunction, HttpsService, ModbusService, OpcuaService, Profile, SshService } from '../profiles/schema.js';
import { httpsHostPort, modbusPort, opcuaHostPort, serviceAddress, type TlsTarget } from '../profiles/services.js';
import type { ProtocolDrivers, ProtocolFixtures } from './fixtures.js';
import { ensureHarnessIdentity } from './harness-identity.js';
import { HttpsFixture } from './http/fixture.js';
import { NetworkFixture } from './network/fixture.js';
import { SshFixture } from './ssh/fixture.js';
import { TlsAuditFixture } from './tls/fixture.js';
import { createModbusFixture, modbusValueReader, serialUnreachable } from './modbus/index.js';
import { OpcuaClientFixture, type ClientIdentity, type EndpointInfo, type OpcuaSessionHandle, type UserIdentity } from './opcua/index.js';
import { routeOpcuaLibraryLogs } from './opcua-library-logs.js';
import { tcpUnreachable } from './tcp-reachability.js';

export { defaultPkiDir, ensureHarnessIdentity } from './harness-identity.js';

export interface DriverSettings {
  /** Where otconform keeps its own client certificate. */
  pkiDir: string;
  connectTimeoutMs: number;
  profile: Profile;
  /** Told once when otconform creates a client certificate the device must be made to trust. */
  onNewIdentity?: (certificateFile: string) => void;
}

export interface Drivers extends ProtocolDrivers {
  /** Removes the per-run scratch folders. */
  dispose(): void;
}

/** One maker per protocol; indexing it with a generic P keeps service and fixture types paired. */
type FixtureMakers = { [K in Protocol]: (service: ServiceOf<K>, transcript: Transcript, signal: AbortSignal) => ProtocolFixtures[K] };

export async function createDrivers(s: DriverSettings): Promise<Drivers> {
  // Per-attempt client certificate stores live in a scratch folder, never in the persistent PKI or the repo.
  const scratch = mkdtempSync(join(tmpdir(), 'otconform-run-'));
  let identity: ClientIdentity | undefined;
  if (s.profile.services.opcua.length > 0) {
    const own = await ensureHarnessIdentity(s.pkiDir);
    if (own.created) s.onNewIdentity?.(own.certificateFile);
    identity = own;
  }
  let fixtures = 0;

  const opcuaFixture = (service: OpcuaService, transcript: Transcript, signal: AbortSignal): OpcuaClientFixture => {
    const configured = service.clientCertificate;
    const clientIdentity = configured ? configuredIdentity(configured) : identity;
    return new OpcuaClientFixture({ endpointUrl: service.endpointUrl, connectTimeoutMs: s.connectTimeoutMs }, transcript, {
      pkiDir: join(scratch, `fixture-${++fixtures}`),
      signal,
      ...(clientIdentity ? { clientIdentity } : {}),
    });
  };

  const makers: FixtureMakers = {
    opcua: opcuaFixture,
    modbus: (service, transcript, signal) => createModbusFixture(service, transcript, { signal, connectTimeoutMs: s.connectTimeoutMs }),
    ssh: (service, transcript, signal) => new SshFixture(service, transcript, { signal, connectTimeoutMs: s.connectTimeoutMs }),
    https: (service, transcript, signal) => new HttpsFixture(service, transcript, { signal, connectTimeoutMs: s.connectTimeoutMs }),
    tls: (service, transcript, signal) => new TlsAuditFixture(service, transcript, { signal, connectTimeoutMs: s.connectTimeoutMs }),
    network: (service, transcript, signal) => new NetworkFixture(service, transcript, { signal, connectTimeoutMs: s.connectTimeoutMs }),
  };

  const sources = (signal: AbortSignal): MonitorSources => ({
    async open(fn, profile) {
      if (fn.modbus) {
        const service = profile.services.modbus[fn.modbus.service];
        if (!service) throw missingService(fn, 'modbus', fn.modbus.service);
        return modbusValueReader(service, fn.modbus, { connectTimeoutMs: s.connectTimeoutMs, signal });
      }
      if (fn.opcua) {
        const service = profile.services.opcua[fn.opcua.service];
        if (!service) throw missingService(fn, 'opcua', fn.opcua.service);
        return opcuaValueReader(service, fn.opcua.nodeId, monitorAccount(profile), () => opcuaFixture(service, nullTranscript, signal));
      }
      throw new UsageError(`essential function "${fn.name}" names neither a modbus nor an opcua value`);
    },
  });

  return {
    createFixture(protocol, service, transcript, signal) {
      const make: FixtureMakers[typeof protocol] = makers[protocol];
      return make(service, transcript, signal);
    },
    async unreachable(protocol, service, timeoutMs) {
      switch (protocol) {
        case 'modbus': {
          const m = service as ModbusService;
          if (m.serial) return serialUnreachable(m.serial.path, timeoutMs);
          return tcpUnreachable(m.host ?? '', modbusPort(m), timeoutMs);
        }
        case 'opcua': {
          const { host, port } = opcuaHostPort(service as OpcuaService);
          return tcpUnreachable(host, port, timeoutMs);
        }
        case 'https': {
          const { host, port } = httpsHostPort(service as HttpsService);
          return tcpUnreachable(host, port, timeoutMs);
        }
        case 'ssh':
        case 'tls': {
          const { host, port } = service as SshService | TlsTarget;
          return tcpUnreachable(host, port, timeoutMs);
        }
        default:
          return undefined;
      }
    },
    useLogger(log) {
      routeOpcuaLibraryLogs(log);
    },
    watchEssentialFunction(fn: EssentialFunction, profile: Profile, signal: AbortSignal) {
      return watchEssentialFunction(fn, profile, sources(signal), signal);
    },
    address: serviceAddress,
    dispose() {
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

function missingService(fn: EssentialFunction, kind: 'modbus' | 'opcua', index: number): UsageError {
  return new UsageError(`essential function "${fn.name}" refers to services.${kind}[${index}], which does not exist`);
}

/** A certificate the user supplied: its applicationUri must be the one in its SAN, or servers refuse the session. */
function configuredIdentity(files: { certificateFile: string; privateKeyFile: string }): ClientIdentity {
  let san = '';
  try {
    san = new X509Certificate(readFileSync(files.certificateFile)).subjectAltName ?? '';
  } catch (err) {
    throw new UsageError(`cannot read the client certificate ${files.certificateFile}: ${(err as Error).message}`);
  }
  const uri = /URI:([^,\s]+)/.exec(san)?.[1];
  if (!uri) throw new UsageError(`the client certificate ${files.certificateFile} has no applicationUri (URI) in its subjectAltName`);
  return { ...files, applicationUri: uri };
}

/** The monitor logs in as the first read-only OPC UA account (never the one the lockout probe may lock). */
function monitorAccount(profile: Profile): Credential | undefined {
  return Object.entries(profile.credentials).find(
    ([name, c]) => c.role === 'read-only' && (c.protocols?.includes('opcua') ?? true) && name !== profile.safety.lockoutAccount,
  )?.[1];
}

const MODE_RANK: Record<EndpointInfo['securityMode'], number> = { SignAndEncrypt: 3, Sign: 2, None: 1 };
/** Endpoints the monitor tries, at most this many: a policy this runtime cannot speak just moves it on. */
const MONITOR_ENDPOINT_TRIES = 4;
/** Read failures that mean the session is gone, so the next read reopens it. */
const SESSION_LOST = /Timeout|Aborted|ClientError|Session|SecureChannel|Connection|Closed/i;

/** The monitor's OPC UA source: one numeric node, over a session of its own that is reopened when lost. */
function opcuaValueReader(
  service: OpcuaService,
  nodeId: string,
  account: Credential | undefined,
  newFixture: () => OpcuaClientFixture,
): ValueReader {
  let fixture: OpcuaClientFixture | undefined;
  let session: OpcuaSessionHandle | undefined;

  const reset = async () => {
    const f = fixture;
    fixture = undefined;
    session = undefined;
    await f?.close();
  };

  const open = async (): Promise<OpcuaSessionHandle> => {
    fixture = newFixture();
    const endpoints = await fixture.endpoints();
    const byStrength = (token: 'UserName' | 'Anonymous') =>
      endpoints
        .filter((e) => e.userTokens.includes(token))
        .sort((a, b) => MODE_RANK[b.securityMode] - MODE_RANK[a.securityMode] || b.securityLevel - a.securityLevel);
    const tries: { endpoint: EndpointInfo; identity: UserIdentity }[] = [
      ...(account
        ? byStrength('UserName').map((endpoint) => ({
            endpoint,
            identity: { type: 'username', username: account.username, password: account.password } as const,
          }))
        : []),
      ...byStrength('Anonymous').map((endpoint) => ({ endpoint, identity: { type: 'anonymous' } as const })),
    ].slice(0, MONITOR_ENDPOINT_TRIES);
    let why = 'no endpoint offers a login the monitor can use';
    for (const { endpoint, identity } of tries) {
      const { attempt, session: opened } = await fixture.openSession({
        securityPolicy: endpoint.securityPolicy,
        securityMode: endpoint.securityMode,
        identity,
      });
      if (opened) return opened;
      why = `${attempt.statusCode ?? 'refused'}${attempt.message ? `: ${attempt.message}` : ''}`;
    }
    throw new Error(`cannot open an OPC UA session to watch ${nodeId}: ${why}`);
  };

  return {
    where: `${nodeId} at ${service.endpointUrl}`,
    async read() {
      if (!session) {
        try {
          session = await open();
        } catch (err) {
          await reset();
          throw err;
        }
      }
      const r = await session.read(nodeId);
      if (r.statusCode !== 'Good') {
        if (SESSION_LOST.test(r.statusCode)) await reset();
        throw new Error(`${nodeId}: ${r.statusCode}`);
      }
      if (typeof r.value === 'number') return r.value;
      if (typeof r.value === 'bigint') return Number(r.value);
      if (typeof r.value === 'boolean') return r.value ? 1 : 0;
      // node-opcua gives (U)Int64 as [high, low] 32-bit words.
      if (/^U?Int64$/.test(r.dataType) && Array.isArray(r.value) && r.value.length === 2) {
        const [high, low] = r.value as [number, number];
        return high * 2 ** 32 + low;
      }
      throw new Error(`${nodeId} holds a ${r.dataType}, not a number`);
    },
    close: reset,
  };
}
