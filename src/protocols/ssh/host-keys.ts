// Fetches the host key a server serves under one host-key algorithm: an ssh2 handshake that offers only
// that algorithm (and every kex, cipher and MAC), the key taken from hostVerifier, and a hang-up as soon as
// the handshake completes, before any user authentication.
import ssh2 from 'ssh2';
import { firstLine } from '../../core/errors.js';
import type { SshService } from '../../profiles/schema.js';
import { offerEverything, ssh2Supported } from './algorithms.js';
import { abortError } from './auth-attempt.js';
import { parseHostKeyBlob, type HostKeyFacts } from './host-key-blob.js';

const { Client } = ssh2;

export type HostKeyProbe =
  | { algorithm: string; status: 'served'; key: HostKeyFacts; /** The handshake, signature included, completed. */ handshake: boolean; elapsedMs: number }
  | { algorithm: string; status: 'not-probed'; why: string }
  | { algorithm: string; status: 'failed'; why: string };

export function canProbeHostKey(algorithm: string): boolean {
  return (ssh2Supported.hostKey as readonly string[]).includes(algorithm);
}

export function probeHostKey(service: SshService, algorithm: string, signal?: AbortSignal): Promise<HostKeyProbe> {
  if (!canProbeHostKey(algorithm)) {
    return Promise.resolve({ algorithm, status: 'not-probed', why: 'the ssh2 client cannot negotiate this algorithm, so its key was not fetched' });
  }
  if (signal?.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const client = new Client();
    const started = performance.now();
    let key: HostKeyFacts | undefined;
    let parseError: string | undefined;
    let done = false;
    const finish = (r: HostKeyProbe | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      client.end();
      setImmediate(() => client.destroy());
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const onAbort = () => finish(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const elapsedMs = () => Math.round(performance.now() - started);
    const served = (handshake: boolean): HostKeyProbe | undefined => (key ? { algorithm, status: 'served', key, handshake, elapsedMs: elapsedMs() } : undefined);
    const timer = setTimeout(
      () => finish(served(false) ?? { algorithm, status: 'failed', why: `no host key within ${service.timeoutMs} ms` }),
      service.timeoutMs,
    );

    client.on('handshake', () => finish(served(true) ?? { algorithm, status: 'failed', why: 'the handshake completed without a host key' }));
    client.on('error', (err: Error) =>
      finish(served(false) ?? { algorithm, status: 'failed', why: parseError ?? firstLine(err) }),
    );
    client.on('close', () => finish(served(false) ?? { algorithm, status: 'failed', why: 'the server closed the connection before sending a host key' }));
    try {
      client.connect({
        host: service.host,
        port: service.port,
        username: 'otconform-host-key-probe',
        algorithms: offerEverything([algorithm]),
        readyTimeout: 0,
        hostVerifier: (blob: Buffer) => {
          try {
            key = parseHostKeyBlob(blob);
            return true;
          } catch (err) {
            parseError = `the host key could not be read: ${firstLine(err)}`;
            return false;
          }
        },
        // Never reached: the connection ends at the handshake. Offer nothing, should it be.
        authHandler: (() => false) as unknown as ssh2.AuthHandlerMiddleware,
      });
    } catch (err) {
      finish({ algorithm, status: 'failed', why: firstLine(err) });
    }
  });
}
