// The server's certificate chain through a real node:tls handshake, verified against the profile's CA file
// (or the system roots without one) and checked against the name the harness dialled. The client presents the
// profile's certificate when the endpoint demands one (Modbus/TCP Security). Nothing here grades anything.
import { readFileSync } from 'node:fs';
import tls, { type DetailedPeerCertificate } from 'node:tls';
import type { TlsTarget } from '../../profiles/services.js';
import { expandHome } from '../modbus/tls-setup.js';

export interface FetchedCertificate {
  /** DER, leaf first, as the handshake delivered them. */
  chain: Buffer[];
  protocol?: string;
  cipher?: string;
  /** Whether the chain verified against the trust anchors below. */
  authorized: boolean;
  authorizationError?: string;
  trustAnchors: 'caFile' | 'system roots';
  /** The host name or address the certificate must name. */
  expectedName: string;
  /** Why the certificate does not name it (node:tls checkServerIdentity), or undefined when it does. */
  nameMismatch?: string;
  clientCertificate: 'presented' | 'none';
}

export class CertificateFetchError extends Error {
  override name = 'CertificateFetchError';
}

/** A file the profile names cannot be read: a setup fault, not something another handshake could work around. */
export class CertificateFileError extends CertificateFetchError {
  override name = 'CertificateFileError';
}

function readFile(file: string, what: string): Buffer {
  try {
    return readFileSync(expandHome(file));
  } catch (err) {
    throw new CertificateFileError(`cannot read the ${what} ${file}: ${(err as Error).message}`);
  }
}

/** The chain as node:tls hands it over, leaf first, without the loop at a self-issued root. */
function chainOf(peer: DetailedPeerCertificate): Buffer[] {
  const out: Buffer[] = [];
  const seen = new Set<DetailedPeerCertificate>();
  for (let c: DetailedPeerCertificate | undefined = peer; c?.raw && !seen.has(c); c = c.issuerCertificate) {
    seen.add(c);
    out.push(c.raw);
  }
  return out;
}

export function fetchCertificate(target: TlsTarget, limits: { timeoutMs: number; signal: AbortSignal }): Promise<FetchedCertificate> {
  const options: tls.ConnectionOptions = {
    host: target.host,
    port: target.port,
    rejectUnauthorized: false,
    // Any version and any suite, so that even a legacy-only server hands over its certificate; grading is separate.
    minVersion: 'TLSv1',
    ciphers: 'ALL:@SECLEVEL=0',
  };
  if (target.serverName) options.servername = target.serverName;
  if (target.caFile) options.ca = readFile(target.caFile, 'CA file');
  if (target.clientCertificate) {
    options.cert = readFile(target.clientCertificate.certificateFile, 'client certificate');
    options.key = readFile(target.clientCertificate.privateKeyFile, 'client private key');
  }
  const expectedName = target.serverName ?? target.host;
  if (limits.signal.aborted) return Promise.reject(new CertificateFetchError('aborted'));
  return new Promise((resolve, reject) => {
    let settled = false;
    const socket = tls.connect(options);
    const finish = (value: FetchedCertificate | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      limits.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (value instanceof Error) reject(value);
      else resolve(value);
    };
    const onAbort = () => finish(new CertificateFetchError('aborted'));
    const timer = setTimeout(() => finish(new CertificateFetchError(`no TLS handshake within ${limits.timeoutMs} ms`)), limits.timeoutMs);
    limits.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate(true);
      if (!peer?.raw) return finish(new CertificateFetchError('the server presented no certificate'));
      const mismatch = tls.checkServerIdentity(expectedName, peer);
      const why = socket.authorizationError as unknown;
      finish({
        chain: chainOf(peer),
        ...(socket.getProtocol() ? { protocol: socket.getProtocol()! } : {}),
        cipher: socket.getCipher().standardName ?? socket.getCipher().name,
        authorized: socket.authorized,
        ...(why ? { authorizationError: why instanceof Error ? why.message : String(why) } : {}),
        trustAnchors: target.caFile ? 'caFile' : 'system roots',
        expectedName,
        ...(mismatch ? { nameMismatch: mismatch.message } : {}),
        clientCertificate: target.clientCertificate ? 'presented' : 'none',
      });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(new CertificateFetchError(`the TLS handshake failed: ${err.code ?? err.message}`)));
    socket.on('close', () => finish(new CertificateFetchError('the server closed the connection during the handshake')));
  });
}
