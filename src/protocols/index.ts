// The protocol drivers the CLI hands to the runner: how to reach each service and which client its checks get.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Profile } from '../profiles/schema.js';
import type { Fixture, ProtocolDrivers, ProtocolFixtures } from './fixtures.js';
import { ensureHarnessIdentity } from './harness-identity.js';
import { OpcuaClientFixture, type ClientIdentity } from './opcua/index.js';
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
  return {
    createFixture(protocol, service, transcript, signal) {
      switch (protocol) {
        case 'opcua': {
          const configured = service.clientCertificate;
          const clientIdentity = configured ? configuredIdentity(configured) : identity;
          const fixture: Fixture & ProtocolFixtures['opcua'] = new OpcuaClientFixture(
            { endpointUrl: service.endpointUrl, connectTimeoutMs: s.connectTimeoutMs },
            transcript,
            { pkiDir: join(scratch, `fixture-${++fixtures}`), signal, ...(clientIdentity ? { clientIdentity } : {}) },
          );
          return fixture;
        }
      }
      throw new Error(`no driver for protocol ${String(protocol)}`);
    },
    async unreachable(protocol, service, timeoutMs) {
      const { host, port } = hostPort(protocol, service);
      return tcpUnreachable(host, port, timeoutMs);
    },
    useLogger(log) {
      routeOpcuaLibraryLogs(log);
    },
    address(protocol, service) {
      return protocol === 'opcua' ? service.endpointUrl : `${protocol} service`;
    },
    dispose() {
      rmSync(scratch, { recursive: true, force: true });
    },
  };
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

function hostPort(protocol: 'opcua', service: Profile['services']['opcua'][number]): { host: string; port: number } {
  const url = new URL(service.endpointUrl.replace(/^opc\.tcp:/, 'http:'));
  return { host: url.hostname, port: url.port ? Number(url.port) : 4840 };
}
