// One SSH user-authentication attempt on a fresh connection: method `none` or one password, answered as
// accepted, refused or error. The login oracle, the auth-method and banner probes and the session checks
// all go through here, so they read the device's answers the same way.
import { performance } from 'node:perf_hooks';
import ssh2 from 'ssh2';
import type { AuthenticationType, Client as Ssh2Client } from 'ssh2';
import { firstLine } from '../../core/errors.js';
import type { SshService } from '../../profiles/schema.js';
import { offerEverything } from './algorithms.js';
import { disconnectAnswer } from './disconnect.js';

const { Client } = ssh2;

/** Longest banner kept; a hostile device must not fill the evidence. */
const MAX_BANNER = 4096;

export type AuthMethodTried = { type: 'none' } | { type: 'password'; password: string };

export interface AuthAttemptOptions {
  /** Local address to connect from. */
  localAddress?: string;
  /** Abort signals; any of them ends the attempt (the promise rejects). */
  signals?: readonly AbortSignal[];
  /** Keep an accepted connection open and hand it to the caller (sessions); otherwise it is closed at once. */
  keepOpen?: boolean;
}

export interface AuthAttempt {
  outcome: 'accepted' | 'refused' | 'error';
  /** Normalised answer: "USERAUTH_SUCCESS", "USERAUTH_FAILURE methods=publickey,password", "DISCONNECT ...". */
  answer: string;
  /** From sending the request to the answer, in ms (0.1 ms resolution). */
  elapsedMs: number;
  /** The methods the server says can continue (from USERAUTH_FAILURE). */
  methods?: string[];
  /** The pre-authentication banner (USERAUTH_BANNER), if one arrived before the answer. */
  banner?: string;
  detail?: string;
  /** The open, authenticated connection when keepOpen was set and the attempt was accepted. */
  client?: Ssh2Client;
}

/** Rejects only when aborted; every other failure is an `error` outcome with a detail. */
export function authenticate(service: SshService, username: string, method: AuthMethodTried, o: AuthAttemptOptions = {}): Promise<AuthAttempt> {
  const signals = o.signals ?? [];
  if (signals.some((s) => s.aborted)) return Promise.reject(abortError());

  return new Promise<AuthAttempt>((resolve, reject) => {
    const client = new Client();
    /** When the request left; undefined until then. */
    let sentAt: number | undefined;
    let banner: string | undefined;
    let done = false;
    let timer: NodeJS.Timeout | undefined;

    const elapsed = () => (sentAt === undefined ? 0 : Math.round((performance.now() - sentAt) * 10) / 10);
    const finish = (result: AuthAttempt | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', onAbort);
      const handOver = !(result instanceof Error) && result.outcome === 'accepted' && o.keepOpen;
      if (!handOver) {
        client.end();
        setImmediate(() => client.destroy());
      }
      if (result instanceof Error) return reject(result);
      resolve({ ...result, ...(banner !== undefined ? { banner } : {}), ...(handOver ? { client } : {}) });
    };
    const onAbort = () => finish(abortError());
    for (const s of signals) s.addEventListener('abort', onAbort, { once: true });

    // Two bounded phases: reaching user authentication, then waiting for the answer to the request.
    const arm = (phase: string) => {
      clearTimeout(timer);
      timer = setTimeout(
        () => finish({ outcome: 'error', answer: `timeout ${phase}`, elapsedMs: elapsed(), detail: `no answer within ${service.timeoutMs} ms ${phase}` }),
        service.timeoutMs,
      );
    };
    arm('before user authentication');

    // ssh2's typings omit `false` (no more methods) and the null arguments of the first call.
    const authHandler = (methodsLeft: AuthenticationType[] | null, partialSuccess: boolean | null, next: (auth: ssh2.AnyAuthMethod | false) => void) => {
      if (sentAt === undefined) {
        arm(`after the ${method.type} request`);
        sentAt = performance.now();
        next(method.type === 'password' ? { type: 'password', username, password: method.password } : { type: 'none', username });
        return;
      }
      // Called again: the device answered USERAUTH_FAILURE.
      const methods = [...(methodsLeft ?? [])];
      const answer = `USERAUTH_FAILURE methods=${methods.join(',')}${partialSuccess ? ' partial' : ''}`;
      // A password refused by a server that does not take passwords says nothing about the password.
      const meaningless = method.type === 'password' && !methods.includes('password');
      finish({
        outcome: meaningless ? 'error' : 'refused',
        answer,
        elapsedMs: elapsed(),
        methods,
        ...(meaningless ? { detail: 'the device does not offer password authentication, so the refusal says nothing about the password' } : {}),
      });
      next(false);
    };

    client.on('banner', (message: string) => {
      banner = (banner ?? '') + message.slice(0, MAX_BANNER);
    });
    client.on('ready', () => finish({ outcome: 'accepted', answer: 'USERAUTH_SUCCESS', elapsedMs: elapsed() }));
    client.on('error', (err: Error & { code?: unknown; level?: string }) => {
      if (done) return;
      if (sentAt !== undefined && typeof err.code === 'number') {
        // The device hung up with an SSH DISCONNECT after the request: that is its answer.
        finish({ outcome: 'refused', answer: disconnectAnswer(err.code, err.message), elapsedMs: elapsed() });
        return;
      }
      const where = sentAt === undefined ? 'before user authentication' : `after the ${method.type} request`;
      finish({ outcome: 'error', answer: `error ${err.level ?? 'transport'}`, elapsedMs: elapsed(), detail: `${firstLine(err)} (${where})` });
    });
    client.on('close', () =>
      finish({
        outcome: 'error',
        answer: 'connection closed',
        elapsedMs: elapsed(),
        detail: sentAt === undefined ? 'the device closed the connection before user authentication' : `the device closed the connection without answering the ${method.type} request`,
      }),
    );

    try {
      client.connect({
        host: service.host,
        port: service.port,
        username,
        ...(o.localAddress ? { localAddress: o.localAddress } : {}),
        algorithms: offerEverything(),
        // Our own phase timers bound the attempt; ssh2's would also fire during a slow password check.
        readyTimeout: 0,
        keepaliveInterval: 0,
        hostVerifier: () => true,
        authHandler: authHandler as unknown as ssh2.AuthHandlerMiddleware,
      });
    } catch (err) {
      finish({ outcome: 'error', answer: 'error client', elapsedMs: 0, detail: firstLine(err) });
    }
  });
}

export function abortError(): Error {
  const err = new Error('the SSH attempt was aborted');
  err.name = 'AbortError';
  return err;
}
