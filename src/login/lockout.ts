// Lockout after failed logins (IEC 62443-4-2 CR 1.11), measured by behaviour through any login oracle:
// how many failures lock the account, whether the correct password is refused while locked, whether the
// lock is keyed by user or by source, and how long it lasts. Runs only on the profile's lockout account.
import { verdict, type CheckOutcome } from '../core/testcase.js';
import {
  confirmLogin,
  describe,
  lockoutAccount,
  LoginAttempts,
  probeSpacingMs,
  wrongPassword,
  type Account,
  type AccountProtocol,
  type Attempt,
  type LoginContext,
} from './attempts.js';
import type { LoginOracle } from './oracle.js';

export interface LockoutProbeOptions {
  oracle: LoginOracle;
  /** Where the accounts live, as credential.protocols names it. */
  protocol: AccountProtocol;
}

/** The failure that locked the account, and the refused correct password that proved it. */
interface Lock {
  failures: number;
  lastWrong: Attempt;
  refusedCorrect: Attempt;
}

type Probe = { result: 'accepted' | 'refused'; answer: string } | { result: 'not measured'; why: string };

interface Keying {
  /** Another account's correct password from the same source, while locked. */
  otherAccount: Probe;
  /** The locked account's correct password from the profile's alternate source, while locked. */
  otherSource: Probe;
}

type Duration =
  | { kind: 'unlocked'; minMs: number; maxMs: number; probes: number; firstProbeAccepted: boolean }
  | { kind: 'still-locked'; afterMs: number; boundMs: number; probes: number }
  | { kind: 'not measured'; why: string; probes: number };

export async function probeLockout(ctx: LoginContext, o: LockoutProbeOptions): Promise<CheckOutcome> {
  const account = lockoutAccount(ctx.profile, o.protocol);
  if (typeof account === 'string') return verdict.inconclusive(`The lockout probe cannot run: ${account}.`);
  const log = new LoginAttempts(ctx, o.oracle);
  try {
    return await lockoutOutcome(ctx, log, account);
  } finally {
    log.attach();
    await o.oracle.close?.();
  }
}

async function lockoutOutcome(ctx: LoginContext, log: LoginAttempts, account: Account): Promise<CheckOutcome> {
  const where = log.oracle.label;
  const ready = await ctx.step('correct password before probing', () => confirmLogin(ctx, log, account));
  if (!ready.ok) return verdict.inconclusive(ready.reason);
  if (ready.waitedMs > 0) ctx.measure('waitedForEarlierLockMs', ready.waitedMs, 'ms');

  const max = ctx.profile.safety.maxLoginAttempts;
  const rounds: Array<{ failures: number; wrongAnswers: string[]; correctPassword: string }> = [];
  let failuresSent = 0;
  let lock: Lock | undefined;
  let stop: CheckOutcome | undefined;
  for (let k = 1; k <= max && !lock && !stop; k++) {
    await ctx.step(`round ${k}: ${k} wrong password(s), then the correct one`, async () => {
      let lastWrong: Attempt | undefined;
      const answers = new Set<string>();
      for (let i = 0; i < k; i++) {
        const wrong = await log.attempt(account.username, wrongPassword(), `round ${k}: wrong password`);
        failuresSent++;
        if (wrong.outcome === 'accepted') {
          stop = verdict.fail(`A wrong password was accepted for ${account.username} on ${where}.`);
          return;
        }
        if (wrong.outcome === 'error') {
          stop = verdict.inconclusive(`A failed login got no usable answer on ${where} (${describe(wrong)}), so failures cannot be counted.`);
          return;
        }
        answers.add(wrong.answer);
        lastWrong = wrong;
      }
      const correct = await log.attempt(account.username, account.password, `round ${k}: correct password`);
      rounds.push({ failures: k, wrongAnswers: [...answers], correctPassword: `${correct.outcome} (${correct.answer})` });
      if (correct.outcome === 'error') {
        stop = verdict.inconclusive(`After ${k} failed logins the correct password got no usable answer on ${where} (${describe(correct)}).`);
      } else if (correct.outcome === 'refused') {
        lock = { failures: k, lastWrong: lastWrong!, refusedCorrect: correct };
      }
    });
  }
  ctx.attach('rounds.json', rounds);
  ctx.measure('failedLoginsSent', failuresSent, 'attempts');
  if (stop) return stop;
  if (!lock) {
    ctx.measure('failuresUntilLockout', `none within ${max}`);
    ctx.measure('correctPasswordRefusedWhileLocked', false);
    return verdict.fail(
      `No lockout: after rounds of up to ${max} consecutive failed logins (${failuresSent} in all) the correct password of ` +
        `${account.username} was still accepted on ${where}.`,
    );
  }
  const locked: Lock = lock;
  ctx.measure('failuresUntilLockout', locked.failures, 'attempts');
  ctx.measure('correctPasswordRefusedWhileLocked', true);
  // A device that answers a locked account differently from a wrong password tells attackers which names exist.
  ctx.measure('lockedAnswerDiffersFromWrongPassword', locked.refusedCorrect.answer !== locked.lastWrong.answer);

  const keying = await ctx.step('while locked: another account, and the locked account from another source', () =>
    probeKeying(ctx, log, account),
  );
  const duration = await ctx.step('lockout duration', () => measureDuration(ctx, log, account, locked));
  if (duration.kind === 'unlocked' && duration.firstProbeAccepted && keying.otherSource.result === 'accepted') {
    // The lock was already over when the other source was tried, so its acceptance says nothing.
    keying.otherSource = { result: 'not measured', why: 'the lock had ended before the other source could be compared' };
  }
  ctx.attach('lockout.json', { failuresUntilLockout: locked.failures, keying, duration });
  return judge(ctx, account, locked, keying, duration, where);
}

async function probeKeying(ctx: LoginContext, log: LoginAttempts, account: Account): Promise<Keying> {
  const other = ctx.credentialFor(['read-only', 'operator', 'engineer', 'admin']);
  let otherAccount: Probe;
  if (!other || other.username === account.username) {
    otherAccount = { result: 'not measured', why: 'the profile has no other account on this service' };
  } else {
    const a = await log.attempt(other.username, other.password, 'while locked: another account, same source');
    otherAccount = a.outcome === 'error' ? { result: 'not measured', why: `no usable answer: ${describe(a)}` } : { result: a.outcome, answer: a.answer };
  }

  const source = ctx.profile.safety.alternateSourceAddress;
  let otherSource: Probe;
  if (!source) {
    otherSource = { result: 'not measured', why: 'the profile gives no safety.alternateSourceAddress' };
  } else if (log.oracle.sourceAddressSupported === false) {
    otherSource = { result: 'not measured', why: 'this client cannot choose its source address' };
  } else {
    const a = await log.attempt(account.username, account.password, 'while locked: locked account, other source', source);
    otherSource =
      a.outcome === 'error' ? { result: 'not measured', why: `no usable answer from ${source}: ${describe(a)}` } : { result: a.outcome, answer: a.answer };
  }
  return { otherAccount, otherSource };
}

/**
 * Probes the correct password from the original source: once at once (which also confirms the lock outlived
 * the keying probes), then at a fixed spacing until it is accepted or the profile's bound has passed.
 * Bounds are conservative: the lock began between sending and answering the last wrong password.
 */
async function measureDuration(ctx: LoginContext, log: LoginAttempts, account: Account, lock: Lock): Promise<Duration> {
  const bound = ctx.profile.policy.lockoutDurationMaxMs;
  const spacing = probeSpacingMs(bound);
  const lockFrom = lock.lastWrong.answeredAt;
  let lastRefusedAt = lock.refusedCorrect.sentAt;
  let probes = 0;
  let answered = 0;
  let lastError = '';
  for (let next = 0; ; ) {
    const wait = lockFrom + next - log.now();
    if (wait > 0) await ctx.sleep(wait);
    const a = await log.attempt(account.username, account.password, 'lockout duration probe');
    probes++;
    if (a.outcome === 'accepted') {
      return {
        kind: 'unlocked',
        minMs: Math.max(0, Math.round(lastRefusedAt - lockFrom)),
        maxMs: Math.round(a.answeredAt - lock.lastWrong.sentAt),
        probes,
        firstProbeAccepted: probes === 1,
      };
    }
    if (a.outcome === 'refused') {
      answered++;
      lastRefusedAt = a.sentAt;
    } else lastError = describe(a);
    if (log.now() - lockFrom >= bound) break;
    // The next slot on the grid after now, the last one exactly at the bound.
    next = Math.min(bound, (Math.floor((log.now() - lockFrom) / spacing) + 1) * spacing);
  }
  if (answered === 0) return { kind: 'not measured', why: `no probe got a usable answer (${lastError})`, probes };
  return { kind: 'still-locked', afterMs: Math.round(lastRefusedAt - lockFrom), boundMs: bound, probes };
}

type KeyedBy =
  | 'user'
  | 'user (other source not measured)'
  | 'source'
  | 'user and source'
  | 'user, per source'
  | 'not measured'
  | 'source (user not measured)'
  | 'per source (other accounts not measured)';

function keyedBy(k: Keying): KeyedBy {
  const other = k.otherAccount.result;
  const source = k.otherSource.result;
  if (other === 'refused') return source === 'accepted' ? 'source' : source === 'refused' ? 'user and source' : 'source (user not measured)';
  if (other === 'accepted') return source === 'accepted' ? 'user, per source' : source === 'refused' ? 'user' : 'user (other source not measured)';
  return source === 'accepted' ? 'per source (other accounts not measured)' : source === 'refused' ? 'user' : 'not measured';
}

function describeKeying(k: Keying, username: string): string {
  const parts: string[] = [];
  const o = k.otherAccount;
  parts.push(
    o.result === 'not measured'
      ? `another account was not tried (${o.why})`
      : `another account was ${o.result} from the same source`,
  );
  const s = k.otherSource;
  parts.push(s.result === 'not measured' ? `${username} from another source was not tried (${s.why})` : `${username} was ${s.result} from another source`);
  return parts.join(', ');
}

function describeDuration(d: Duration): string {
  switch (d.kind) {
    case 'unlocked':
      return `the account unlocked after between ${d.minMs} and ${d.maxMs} ms`;
    case 'still-locked':
      return `the account was still locked after ${d.afterMs} ms (the profile's bound is ${d.boundMs} ms; a lock until an administrator unlocks it is also compliant)`;
    default:
      return `the lockout duration was not measured (${d.why})`;
  }
}

function judge(ctx: LoginContext, account: Account, lock: Lock, keying: Keying, duration: Duration, where: string): CheckOutcome {
  const by = keyedBy(keying);
  ctx.measure('lockoutKeyedBy', by);
  ctx.measure('otherAccountSameSourceWhileLocked', keying.otherAccount.result);
  ctx.measure('lockedAccountFromOtherSource', keying.otherSource.result);
  if (duration.kind === 'unlocked') {
    ctx.measure('lockoutDurationMinMs', duration.minMs, 'ms');
    ctx.measure('lockoutDurationMaxMs', duration.maxMs, 'ms');
  } else if (duration.kind === 'still-locked') {
    ctx.measure('lockoutStillLockedAfterMs', duration.afterMs, 'ms');
  } else ctx.measure('lockoutDuration', 'not measured');
  const notMeasured = [
    keying.otherAccount.result === 'not measured' ? `other account (${keying.otherAccount.why})` : undefined,
    keying.otherSource.result === 'not measured' ? `other source (${keying.otherSource.why})` : undefined,
    duration.kind === 'not measured' ? `duration (${duration.why})` : undefined,
  ].filter((x): x is string => x !== undefined);
  ctx.measure('notMeasured', notMeasured.length > 0 ? notMeasured.join('; ') : 'nothing');

  const facts =
    `${account.username} locked after ${lock.failures} consecutive failed login(s) on ${where} and its correct password was refused ` +
    `while locked (${lock.refusedCorrect.answer}); ${describeKeying(keying, account.username)}; ${describeDuration(duration)}`;
  switch (by) {
    case 'source':
      return verdict.fail(`The lockout is keyed by source only, so changing source address resumes guessing: ${facts}.`);
    case 'source (user not measured)':
    case 'per source (other accounts not measured)':
      return verdict.inconclusive(`The lockout depends on the source, and whether it also locks the user was not measured: ${facts}.`);
    case 'user, per source':
      return verdict.pass(`The account locks, keyed by user per source (another source can still log in as ${account.username}): ${facts}.`);
    case 'not measured':
      return verdict.pass(`The account locks (whether by user or by source was not measured): ${facts}.`);
    default:
      return verdict.pass(`The account locks, keyed by ${by}: ${facts}.`);
  }
}
