// Authenticator feedback (IEC 62443-4-2 CR 1.10): a login with an unknown user name and one with a real user's
// wrong password must look alike, in what the device says and in how long it takes to say it. Otherwise an
// attacker learns which account names exist. Samples are interleaved, with a correct login after every two
// failures, so even a lockout threshold of three is never reached.
import { verdict, type CheckOutcome } from '../core/testcase.js';
import {
  confirmLogin,
  describe,
  lockoutAccount,
  LoginAttempts,
  unknownUsername,
  wrongPassword,
  type Account,
  type AccountProtocol,
  type Attempt,
  type LoginContext,
} from './attempts.js';
import type { LoginOracle } from './oracle.js';
import { median, pooledSpread, quantile, round1, superiority } from './stats.js';

export interface FeedbackProbeOptions {
  oracle: LoginOracle;
  protocol: AccountProtocol;
  /** Samples of each kind (default 8). */
  samples?: number;
}

/** Below this a timing difference is not worth an attacker's trouble over a network. */
export const MIN_TIMING_DIFFERENCE_MS = 15;
/** A difference counts only when it is this many pooled spreads wide... */
const SPREADS = 3;
/** ...and the samples barely overlap: superiority this far from 0.5 (for 8 + 8 samples about the 5 % level of a Mann-Whitney test). */
const SEPARATION = 0.8;
/** Noise above this (3 × pooled spread) hides differences an attacker could still average out. */
export const MAX_DECIDABLE_NOISE_MS = 45;
/** Fewer usable samples than this per kind, and nothing can be concluded. */
const MIN_SAMPLES = 5;
/** When the first samples are undecided, sampling goes on up to this many times as many. */
const EXTENDED_SAMPLES_FACTOR = 3;
/**
 * Noise that only ever adds delay (a busy device CPU, queueing) hides in the low percentiles least, so the
 * box test of Crosby, Wallach and Riedi ("Opportunities and limits of remote timing attacks", ACM TISSEC
 * 2009) compares the [5th, 25th] percentile boxes: boxes apart by more than MIN_TIMING_DIFFERENCE_MS reveal a
 * difference; narrow boxes closer than that show none worth finding.
 */
const LOW_BOX = [0.05, 0.25] as const;

export async function probeAuthenticatorFeedback(ctx: LoginContext, o: FeedbackProbeOptions): Promise<CheckOutcome> {
  const account = lockoutAccount(ctx.profile, o.protocol);
  if (typeof account === 'string') return verdict.inconclusive(`The feedback probe cannot run: ${account}.`);
  const log = new LoginAttempts(ctx, o.oracle);
  try {
    return await feedbackOutcome(ctx, log, account, o.samples ?? 8);
  } finally {
    log.attach();
    await o.oracle.close?.();
  }
}

async function feedbackOutcome(ctx: LoginContext, log: LoginAttempts, account: Account, samples: number): Promise<CheckOutcome> {
  const where = log.oracle.label;
  const ready = await ctx.step('correct password before sampling', () => confirmLogin(ctx, log, account));
  if (!ready.ok) return verdict.inconclusive(ready.reason);

  const nobody = unknownUsername();
  const unknown: Attempt[] = [];
  const wrong: Attempt[] = [];
  let errors = 0;
  /** Takes n more samples of each kind; a verdict when sampling cannot go on. */
  const sample = async (n: number): Promise<CheckOutcome | undefined> => {
    for (let i = 0; i < n; i++) {
      // Alternate the order so neither kind always follows the correct login (warm caches, reused state).
      const order = (unknown.length + wrong.length + errors) % 4 === 0 ? (['unknown', 'wrong'] as const) : (['wrong', 'unknown'] as const);
      for (const kind of order) {
        const a =
          kind === 'unknown'
            ? await log.attempt(nobody, wrongPassword(), 'unknown user')
            : await log.attempt(account.username, wrongPassword(), 'wrong password');
        if (a.outcome === 'accepted') {
          return verdict.fail(
            kind === 'unknown'
              ? `A login with a user name that does not exist was accepted on ${where}.`
              : `A wrong password was accepted for ${account.username} on ${where}.`,
          );
        }
        if (a.outcome === 'error') errors++;
        else (kind === 'unknown' ? unknown : wrong).push(a);
      }
      const correct = await log.attempt(account.username, account.password, 'correct password (keeps the failure count low)');
      if (correct.outcome === 'error') {
        return verdict.inconclusive(`The correct password of ${account.username} got no usable answer on ${where} (${describe(correct)}), so sampling stopped.`);
      }
      if (correct.outcome !== 'accepted') {
        return verdict.inconclusive(
          `The correct password of ${account.username} was ${describe(correct)} after only two failed logins on ${where}, so the samples cannot go on without locking the account.`,
        );
      }
    }
    return undefined;
  };
  const times = () => compareTimes(unknown.map((a) => a.elapsedMs), wrong.map((a) => a.elapsedMs));
  // The device may echo the name it was given; that alone does not tell names apart. Both names are masked in
  // both sets (the longer first), since the real name may also appear in the page's fixed text.
  const names = [nobody, account.username].sort((a, b) => b.length - a.length);
  const masked = (answer: string) => names.reduce((text, name) => text.split(name).join('<user>'), answer);
  const answers = () => ({
    unknown: new Set(unknown.map((a) => masked(a.answer))),
    wrong: new Set(wrong.map((a) => masked(a.answer))),
  });

  const stopped = await ctx.step(`${samples} unknown-user and ${samples} wrong-password logins, interleaved`, () => sample(samples));
  if (stopped) return stopped;
  // Noise hides differences that more samples can still show: the low percentiles settle with every sample.
  const early = answers();
  if (times().verdict === 'undecided' && compareMessages(early.unknown, early.wrong) !== 'different') {
    const more = samples * (EXTENDED_SAMPLES_FACTOR - 1);
    const again = await ctx.step(`the timing was undecided: ${more} more of each kind`, () => sample(more));
    if (again) return again;
  }
  ctx.measure('samplesPerKind', unknown.length + wrong.length === 0 ? 0 : Math.min(unknown.length, wrong.length));
  ctx.measure('attemptsWithoutAnswer', errors);
  if (unknown.length < MIN_SAMPLES || wrong.length < MIN_SAMPLES) {
    return verdict.inconclusive(`Too few logins got a usable answer on ${where} (${unknown.length} unknown-user, ${wrong.length} wrong-password).`);
  }

  const { unknown: unknownAnswers, wrong: wrongAnswers } = answers();
  const messages = compareMessages(unknownAnswers, wrongAnswers);
  ctx.measure('answersAlike', messages);

  const timing = times();
  ctx.measure('unknownUserMedianMs', timing.unknownMedian, 'ms');
  ctx.measure('wrongPasswordMedianMs', timing.wrongMedian, 'ms');
  ctx.measure('medianDifferenceMs', timing.difference, 'ms');
  ctx.measure('pooledSpreadMs', timing.spread, 'ms');
  ctx.measure('timingThresholdMs', timing.threshold, 'ms');
  ctx.measure('separation', timing.separation);
  ctx.measure('unknownUserLowBoxMs', timing.unknownLowBox.join('–'), 'ms');
  ctx.measure('wrongPasswordLowBoxMs', timing.wrongLowBox.join('–'), 'ms');
  ctx.attach('feedback.json', {
    unknownUsername: nobody,
    username: account.username,
    unknownUserAnswers: [...unknownAnswers],
    wrongPasswordAnswers: [...wrongAnswers],
    unknownUserMs: unknown.map((a) => a.elapsedMs),
    wrongPasswordMs: wrong.map((a) => a.elapsedMs),
    timing,
  });

  const numbers =
    `medians ${timing.unknownMedian} ms (unknown user) and ${timing.wrongMedian} ms (wrong password), ` +
    `difference ${timing.difference} ms against a threshold of ${timing.threshold} ms, pooled spread ${timing.spread} ms, separation ${timing.separation}, 5th–25th percentiles ${timing.unknownLowBox.join('–')} ms and ${timing.wrongLowBox.join('–')} ms, over ${timing.samples} samples each`;
  if (messages === 'different') {
    return verdict.fail(
      `The device answers an unknown user ("${[...unknownAnswers].join('" / "')}") differently from a wrong password ` +
        `("${[...wrongAnswers].join('" / "')}") on ${where}, so it reveals which account names exist (${numbers}).`,
    );
  }
  if (timing.verdict === 'differ') {
    const slower = timing.wrongMedian > timing.unknownMedian ? 'a wrong password for a real user' : 'an unknown user';
    return verdict.fail(`The answer to ${slower} takes measurably longer on ${where}, so timing reveals which account names exist: ${numbers}.`);
  }
  if (messages === 'mixed') {
    return verdict.inconclusive(
      `The answers vary and only partly overlap (unknown user: "${[...unknownAnswers].join('" / "')}", wrong password: ` +
        `"${[...wrongAnswers].join('" / "')}") on ${where}, so it is unclear whether they betray account names.`,
    );
  }
  if (timing.verdict === 'undecided') {
    return verdict.inconclusive(`The timing is too noisy to decide on ${where}: ${numbers}.`);
  }
  return verdict.pass(`An unknown user and a wrong password get the same answer ("${[...wrongAnswers].join('" / "')}") in the same time on ${where}: ${numbers}.`);
}

function compareMessages(a: Set<string>, b: Set<string>): 'alike' | 'different' | 'mixed' {
  const shared = [...a].filter((x) => b.has(x));
  if (shared.length === 0) return 'different';
  return shared.length === a.size && shared.length === b.size ? 'alike' : 'mixed';
}

export interface TimingComparison {
  samples: number;
  unknownMedian: number;
  wrongMedian: number;
  difference: number;
  spread: number;
  threshold: number;
  /** P(wrong-password time > unknown-user time); 0.5 is full overlap. */
  separation: number;
  /** The [5th, 25th] percentile boxes. */
  unknownLowBox: [number, number];
  wrongLowBox: [number, number];
  verdict: 'alike' | 'differ' | 'undecided';
}

/** Compares two timing samples: medians against the robust spread, overlap, and the low-percentile boxes. */
export function compareTimes(unknownMs: number[], wrongMs: number[]): TimingComparison {
  const unknownMedian = median(unknownMs);
  const wrongMedian = median(wrongMs);
  const difference = Math.abs(wrongMedian - unknownMedian);
  const spread = pooledSpread(unknownMs, wrongMs);
  const threshold = Math.max(MIN_TIMING_DIFFERENCE_MS, SPREADS * spread);
  const separation = superiority(wrongMs, unknownMs);
  const apart = separation >= SEPARATION || separation <= 1 - SEPARATION;
  const u = LOW_BOX.map((q) => quantile(unknownMs, q)) as [number, number];
  const w = LOW_BOX.map((q) => quantile(wrongMs, q)) as [number, number];
  const boxGap = Math.max(w[0] - u[1], u[0] - w[1]);
  // Narrow boxes, neither above the other by more than the smallest difference worth finding.
  const boxesClose = Math.abs(w[1] - u[1]) <= MIN_TIMING_DIFFERENCE_MS && Math.max(u[1] - u[0], w[1] - w[0]) <= MIN_TIMING_DIFFERENCE_MS;
  let v: TimingComparison['verdict'];
  if ((difference > threshold && apart) || boxGap > MIN_TIMING_DIFFERENCE_MS) v = 'differ';
  else if ((SPREADS * spread <= MAX_DECIDABLE_NOISE_MS && difference <= threshold) || boxesClose) v = 'alike';
  else v = 'undecided';
  return {
    samples: Math.min(unknownMs.length, wrongMs.length),
    unknownMedian: round1(unknownMedian),
    wrongMedian: round1(wrongMedian),
    difference: round1(difference),
    spread: round1(spread),
    threshold: round1(threshold),
    separation: Math.round(separation * 1000) / 1000,
    unknownLowBox: [round1(u[0]), round1(u[1])],
    wrongLowBox: [round1(w[0]), round1(w[1])],
    verdict: v,
  };
}
