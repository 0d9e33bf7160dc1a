// Client-side TLS for Modbus/TCP Security: which certificate the harness presents, which versions and
// ciphers it allows, and what the handshake established (TlsFacts). The server certificate is never
// refused here: checks judge it, so the harness records it and verifies it only against the profile's CA.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, type ConnectionOptions, type SecureVersion, type TLSSocket } from 'node:tls';
import type { ModbusService } from '../../profiles/schema.js';
import { ModbusConnectError, type ModbusConnectOptions, type TlsFacts } from './types.js';

const VERSION_RANK: Record<SecureVersion, number> = { TLSv1: 1, 'TLSv1.1': 2, 'TLSv1.2': 3, 'TLSv1.3': 4 };
/** Node refuses TLS 1.0/1.1 at the default security level; both sides must lower it (see NOTES). */
export const LEGACY_CIPHERS = 'DEFAULT@SECLEVEL=0';

/** "~/x" means the home directory, as the profile schema promises. */
export function expandHome(file: string): string {
  return file === '~' ? homedir() : file.startsWith('~/') ? join(homedir(), file.slice(2)) : file;
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(expandHome(file));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ModbusConnectError('tls', `cannot read the ${what} ${file}: ${e.message}`, e.code);
  }
}

export interface ClientTls {
  options: ConnectionOptions;
  /** For the transcript: which certificate was presented (never the key). */
  presented: 'profile' | 'override' | 'none';
  /** Whether the server certificate is checked against the profile's caFile. */
  verifies: boolean;
}

/** tls.connect options for one connection to a TLS service. */
export function clientTls(service: ModbusService, o: ModbusConnectOptions): ClientTls {
  const host = service.host ?? '';
  const options: ConnectionOptions = { host, rejectUnauthorized: false };
  // SNI carries DNS names only (RFC 6066, 3).
  if (isIP(host) === 0) options.servername = host;
  let presented: ClientTls['presented'] = 'none';
  if (o.clientCertificate) {
    options.cert = o.clientCertificate.cert;
    options.key = o.clientCertificate.key;
    presented = 'override';
  } else if (!o.anonymous && service.tls) {
    options.cert = readPem(service.tls.clientCertificate.certificateFile, 'client certificate');
    options.key = readPem(service.tls.clientCertificate.privateKeyFile, 'client private key');
    presented = 'profile';
  }
  const caFile = service.tls?.caFile;
  if (caFile) options.ca = readPem(caFile, 'CA file');
  Object.assign(options, versionOptions(o.tls));
  // Unusable PEM or an impossible cipher list is our problem, found before the device sees anything.
  try {
    const { cert, key, ca, ciphers, minVersion, maxVersion } = options;
    createSecureContext({ cert, key, ca, ciphers, minVersion, maxVersion });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const which = presented === 'none' ? 'no client certificate' : `${presented} client certificate`;
    throw new ModbusConnectError('tls', `the TLS settings cannot be used (${which}): ${e.message}`, e.code);
  }
  return { options, presented, verifies: caFile !== undefined };
}

/** minVersion/maxVersion/ciphers, lowering the security level when a legacy version is asked for. */
export function versionOptions(t: ModbusConnectOptions['tls']): Pick<ConnectionOptions, 'minVersion' | 'maxVersion' | 'ciphers'> {
  if (!t) return {};
  const out: Pick<ConnectionOptions, 'minVersion' | 'maxVersion' | 'ciphers'> = {};
  // Node's default minimum is TLSv1.2; a lower maximum alone would be an invalid range.
  const min = t.minVersion ?? (t.maxVersion && VERSION_RANK[t.maxVersion] < VERSION_RANK['TLSv1.2'] ? t.maxVersion : undefined);
  if (min) out.minVersion = min;
  if (t.maxVersion) out.maxVersion = t.maxVersion;
  const legacy = [t.minVersion, t.maxVersion].some((v) => v !== undefined && VERSION_RANK[v] < VERSION_RANK['TLSv1.2']);
  if (t.ciphers) out.ciphers = t.ciphers;
  else if (legacy) out.ciphers = LEGACY_CIPHERS;
  return out;
}

export function tlsFacts(socket: TLSSocket, verifies: boolean): TlsFacts {
  const cipher = socket.getCipher();
  const facts: TlsFacts = {
    protocol: socket.getProtocol(),
    cipher: { name: cipher.name, standardName: cipher.standardName, version: cipher.version },
    authorized: verifies && socket.authorized,
  };
  const peer = socket.getPeerX509Certificate();
  if (peer) facts.peerCertificate = peer.raw;
  const why = socket.authorizationError as unknown;
  if (why !== undefined && why !== null) facts.authorizationError = why instanceof Error ? why.message : String(why);
  return facts;
}
