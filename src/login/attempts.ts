// The shared plumbing of the behavioural login checks: what they need from the check context, the account
// they may lock, and one paced, abortable, recorded login attempt at a time (never the password).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Protocol } from '../core/outcomes.js';
import type { CheckContext } from '../core/testcase.js';
import type { Credential, Profile } from '../profiles/schema.js';
import { withoutSecret, type LoginAttemptResult, type LoginOracle } from './oracle.js';

/** The parts of a check's context the login engine uses; every protocol's context has them. */
export type LoginContext = Pick<
  CheckContext<Protocol>,
  'profile' | 'kb' | 'signal' | 'step' | 'attach' | 'measure' | 'sleep' | 'paceLogin' | 'credentialFor'
>;

/** How credential.protocols names the services that have login oracles. */
export type AccountProtocol = 'ssh' | 'https' | 'opcua';

export interface Account {
  username: string;
  password: string;
}

/** Undefined, or why the lockout account cannot be used on this protocol (for a check's preconditions). */
export function lockoutAccountMissing(profile: Profile, protocol: AccountProtocol): string | undefined {
  const name = profile.safety.lockoutAccount;
  if (!name) return 'the profile names no safety.lockoutAccount that may be locked';
  const c: Credential | undefined = profile.credentials[name];
  if (!c) return `the lockout account "${name}" is not under credentials`;
  if (c.protocols && !c.protocols.includes(protocol)) return `the lockout account "${name}" does not exist on ${protocol}`;
  return undefined;
}

export function lockoutAccount(profile: Profile, protocol: AccountProtocol): Account | string {
  const missing = lockoutAccountMissing(profile, protocol);
  if (missing) return missing;
  const c = profile.credentials[profile.safety.lockoutAccount!]!;
  return { username: c.username, password: c.password };
}

/** A password no real account has: random per attempt and never recorded. */
export function wrongPassword(): string {
  return `otc-wrong-${randomBytes(9).toString('base64url')}`;
}

/** A user name no device has, the same for every attempt of one check so its answers can be compared. */
export function unknownUsername(): string {
  return `otc${randomBytes(5).toString('hex')}`;
}

/** One attempt with its times on the check's clock (ms since the first attempt was prepared). */
export interface Attempt extends LoginAttemptResult {
  purpose: string;
  username: string;
  sourceAddress?: string;
  /** Just before the credentials went to the oracle. */
  sentAt: number;
  /** When the oracle returned. */
  answeredAt: number;
}

/** Sends attempts through one oracle, each paced by the profile's login rate, and keeps them as evidence. */
export class LoginAttempts {
  readonly records: Attempt[] = [];
  private readonly t0 = performance.now();

  constructor(
    private readonly ctx: LoginContext,
    readonly oracle: LoginOracle,
  ) {}

  /** Milliseconds on this check's clock. */
  now(): number {
    return Math.round((performance.now() - this.t0) * 10) / 10;
  }

  async attempt(username: string, password: string, purpose: string, sourceAddress?: string): Promise<Attempt> {
    await this.ctx.paceLogin();
    if (this.ctx.signal.aborted) throw this.ctx.signal.reason;
    const sentAt = this.now();
    const answered = await this.oracle.attempt(username, password, {
      signal: this.ctx.signal,
      ...(sourceAddress ? { sourceAddress } : {}),
    });
    // Answers and details go into reasons and attachments: a device that echoes the password must not put it there.
    const result: LoginAttemptResult = {
      ...answered,
      answer: withoutSecret(answered.answer, password),
      ...(answered.detail !== undefined ? { detail: withoutSecret(answered.detail, password) } : {}),
    };
    const attempt: Attempt = { ...result, purpose, username, ...(sourceAddress ? { sourceAddress } : {}), sentAt, answeredAt: this.now() };
    this.records.push(attempt);
    return attempt;
  }

  /** Stores every attempt (user names, answers and times; never a password). */
  attach(name = 'attempts.json'): void {
    this.ctx.attach(name, {
      oracle: this.oracle.label,
      attempts: this.records.map((a) => ({
        purpose: a.purpose,
        username: a.username,
        ...(a.sourceAddress ? { sourceAddress: a.sourceAddress } : {}),
        outcome: a.outcome,
        answer: a.answer,
        elapsedMs: a.elapsedMs,
        sentAtMs: a.sentAt,
        ...(a.detail ? { detail: a.detail } : {}),
      })),
    });
  }
}

/** "refused (USERAUTH_FAILURE …)" or "error: timeout …", for reasons. */
export function describe(a: LoginAttemptResult): string {
  return `${a.outcome} (${a.answer}${a.detail ? `: ${a.detail}` : ''})`;
}

/** How far apart the engine probes a locked account: about 20 probes over the profile's bound. */
export function probeSpacingMs(boundMs: number): number {
  return Math.min(30_000, Math.max(200, Math.round(boundMs / 20)));
}

export type Usable = { ok: true; waitedMs: number } | { ok: false; reason: string };

/**
 * Logs in with the correct password. A refusal may be a lock left by an earlier check (they share the
 * account), so it keeps trying at the probe spacing until the profile's lockout bound has passed.
 */
export async function confirmLogin(ctx: LoginContext, log: LoginAttempts, account: Account): Promise<Usable> {
  const start = log.now();
  const bound = ctx.profile.policy.lockoutDurationMaxMs;
  const spacing = probeSpacingMs(bound);
  let last = await log.attempt(account.username, account.password, 'correct password before probing');
  while (last.outcome !== 'accepted') {
    if (last.outcome === 'error') {
      return { ok: false, reason: `The correct password of ${account.username} got no answer on ${log.oracle.label}: ${describe(last)}.` };
    }
    if (log.now() - start + spacing > bound) {
      return {
        ok: false,
        reason:
          `The correct password of ${account.username} is refused on ${log.oracle.label} (${last.answer}) and still was after ` +
          `${Math.round(log.now() - start)} ms: a wrong password in the profile, or an account locked longer than policy.lockoutDurationMaxMs.`,
      };
    }
    await ctx.sleep(spacing);
    last = await log.attempt(account.username, account.password, 'correct password, waiting for an earlier lock to end');
  }
  return { ok: true, waitedMs: Math.round(last.sentAt - start) };
}
