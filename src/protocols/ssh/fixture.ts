// The ssh client checks receive: the raw hello reader (identification and KEXINIT), host-key and
// auth-method probes, interactive sessions and the login oracle. Every probe opens its own short
// connection and writes what it saw (never a password) to the transcript; close() ends what is still open.
import type { Transcript } from '../../core/transcript.js';
import type { LoginOracle } from '../../login/oracle.js';
import type { SshService } from '../../profiles/schema.js';
import { authenticate, type AuthAttempt } from './auth-attempt.js';
import { probeHostKey, type HostKeyProbe } from './host-keys.js';
import { readServerHello, type ServerHello } from './kexinit.js';
import { sshLoginOracle } from './login-oracle.js';
import { openShell, type SshSession } from './session.js';

export interface FixtureOptions {
  signal: AbortSignal;
  connectTimeoutMs: number;
}

export type SessionAttempt =
  | { opened: true; attempt: AuthAttempt; session: SshSession }
  | {
      opened: false;
      attempt: AuthAttempt;
      /** Set when the login was accepted and the device refused the shell. */
      shellRefused?: string;
      /** Set when the login was accepted but the shell neither opened nor was refused (timeout, local fault). */
      shellFailed?: string;
    };

export class SshFixture {
  private helloRead: Promise<ServerHello> | undefined;
  private readonly sessions = new Set<SshSession>();
  /** Set by close(): a session that opens later (a check still running after its timeout) is closed at once. */
  private closed = false;

  constructor(
    readonly service: SshService,
    readonly transcript: Transcript,
    readonly options: FixtureOptions,
  ) {}

  /** The server's identification and KEXINIT, read once per fixture over raw TCP. */
  hello(): Promise<ServerHello> {
    this.helloRead ??= readServerHello(this.service.host, this.service.port, {
      timeoutMs: Math.max(this.service.timeoutMs, this.options.connectTimeoutMs),
      signal: this.options.signal,
    }).then((h) => {
      this.transcript.record('server hello', {
        ident: h.ident,
        preIdentLines: h.preIdentLines.length,
        kexinit: h.kexinit ? 'received' : 'none (SSH-1 only)',
        elapsedMs: h.elapsedMs,
      });
      return h;
    });
    return this.helloRead;
  }

  /** The key served under each algorithm, one handshake per algorithm, in the order given. */
  async hostKeys(algorithms: readonly string[]): Promise<HostKeyProbe[]> {
    const out: HostKeyProbe[] = [];
    for (const algorithm of algorithms) {
      const probe = await probeHostKey(this.service, algorithm, this.options.signal);
      this.transcript.record(`host key ${probe.status}`, {
        algorithm,
        ...(probe.status === 'served'
          ? { type: probe.key.blobType, bits: probe.key.bits, curve: probe.key.curve, fingerprint: probe.key.fingerprint }
          : { why: probe.why }),
      });
      out.push(probe);
    }
    return out;
  }

  /** A `none` authentication request for one user: the methods that can continue, any banner, and whether it let the user in. */
  async authNone(username: string): Promise<AuthAttempt> {
    const r = await authenticate(this.service, username, { type: 'none' }, { signals: [this.options.signal] });
    this.transcript.record(`none auth ${r.outcome}`, {
      username,
      answer: r.answer,
      ...(r.banner !== undefined ? { bannerChars: r.banner.length } : {}),
      ...(r.detail ? { detail: r.detail } : {}),
    });
    return r;
  }

  /** Logs in with a password and opens a shell; the session stays open until closed (or close()). */
  async openSession(username: string, password: string): Promise<SessionAttempt> {
    const attempt = await authenticate(this.service, username, { type: 'password', password }, { signals: [this.options.signal], keepOpen: true });
    if (attempt.outcome !== 'accepted' || !attempt.client) {
      this.transcript.record(`session login ${attempt.outcome}`, { username, answer: attempt.answer, ...(attempt.detail ? { detail: attempt.detail } : {}) });
      return { opened: false, attempt };
    }
    const shell = await openShell(attempt.client, username, this.service.timeoutMs, this.options.signal);
    if ('refused' in shell) {
      this.transcript.record('session shell refused', { username, why: shell.refused });
      return { opened: false, attempt, shellRefused: shell.refused };
    }
    if ('failed' in shell) {
      this.transcript.record('session shell failed', { username, why: shell.failed });
      return { opened: false, attempt, shellFailed: shell.failed };
    }
    const { session } = shell;
    if (this.closed) {
      await session.close();
      throw new Error('the SSH client was closed while the session opened');
    }
    this.sessions.add(session);
    void session.ended.then((end) => {
      this.sessions.delete(session);
      this.transcript.record('session ended', { username, afterMs: end.afterMs, how: end.how });
    });
    this.transcript.record('session opened', { username, loginMs: attempt.elapsedMs });
    return { opened: true, attempt, session };
  }

  /** Password logins, one fresh connection each; aborted with the check. */
  loginOracle(): LoginOracle {
    return sshLoginOracle(this.service, this.transcript, { signal: this.options.signal });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.sessions].map((s) => s.close()));
  }
}
