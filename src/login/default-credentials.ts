// Published default credentials (IEC 62443-4-2 CR 1.5): every pair the knowledge base cites for the protocol,
// over every login method the service offers, at the profile's login rate. Passwords never leave this
// module: evidence and reasons name the user and the source of the pair only.
import type { CheckOutcome } from '../core/testcase.js';
import { verdict } from '../core/testcase.js';
import type { CredentialProtocol, DefaultCredential } from '../knowledge/types.js';
import { describe, LoginAttempts, type LoginContext } from './attempts.js';
import type { LoginOracle } from './oracle.js';

export interface DefaultCredentialSweepOptions {
  /** Which list of the knowledge base to try. */
  protocol: CredentialProtocol;
  /** One per login method (e.g. a web form and HTTP Basic); every pair is tried on each. */
  oracles: LoginOracle[];
}

interface Tried {
  method: string;
  username: string;
  source: string;
  result: string;
}

/**
 * The knowledge base caps the pairs per user name to stay under lockout thresholds. Several login methods
 * usually share one account store, so the cap is shared too: each method gets an equal part of it (at least
 * one pair, the most likely one).
 */
export function pairsPerMethod(pairs: readonly DefaultCredential[], methods: number): DefaultCredential[] {
  const perUser = new Map<string, number>();
  for (const p of pairs) perUser.set(p.username.toLowerCase(), (perUser.get(p.username.toLowerCase()) ?? 0) + 1);
  const used = new Map<string, number>();
  return pairs.filter((p) => {
    const key = p.username.toLowerCase();
    const share = Math.max(1, Math.floor(perUser.get(key)! / Math.max(1, methods)));
    const n = used.get(key) ?? 0;
    used.set(key, n + 1);
    return n < share;
  });
}

export async function sweepDefaultCredentials(ctx: LoginContext, o: DefaultCredentialSweepOptions): Promise<CheckOutcome> {
  const methods = o.oracles.map((oracle) => oracle.label).join(' and ');
  if (o.oracles.length === 0) return verdict.notApplicable('The service declares no login method to try.');
  const pairs = pairsPerMethod(ctx.kb.defaultCredentials(o.protocol), o.oracles.length);
  if (pairs.length === 0) return verdict.inconclusive(`The knowledge base lists no ${o.protocol} default credentials to try.`);

  const tried: Tried[] = [];
  const accepted: Tried[] = [];
  const unanswered: Tried[] = [];
  const logs = o.oracles.map((oracle) => new LoginAttempts(ctx, oracle));
  try {
    for (const log of logs) {
      await ctx.step(`${pairs.length} default pairs on ${log.oracle.label}`, async () => {
        for (const pair of pairs) {
          let a = await log.attempt(pair.username, pair.password, 'default credential');
          // One retry: a transient fault must not leave a pair untested.
          if (a.outcome === 'error') a = await log.attempt(pair.username, pair.password, 'default credential, retried');
          const t: Tried = { method: log.oracle.label, username: pair.username, source: pair.source, result: a.outcome === 'accepted' ? 'ACCEPTED' : describe(a) };
          tried.push(t);
          if (a.outcome === 'accepted') accepted.push(t);
          if (a.outcome === 'error') unanswered.push(t);
        }
      });
    }
  } finally {
    // Pairs by user and source, never by password: the transcript of each attempt names the user only.
    ctx.attach('default-credentials.json', { methods: o.oracles.map((x) => x.label), tried });
    logs.forEach((log, i) => log.attach(`attempts-${i + 1}.json`));
    for (const oracle of o.oracles) await oracle.close?.();
  }
  ctx.measure('pairsTried', tried.length);
  ctx.measure('pairsAccepted', accepted.length);
  ctx.measure('pairsUnanswered', unanswered.length);
  if (accepted.length > 0) {
    const users = [...new Set(accepted.map((t) => t.username))];
    const whereAccepted = [...new Set(accepted.map((t) => t.method))].join(' and ');
    const what = users.length === 1 ? `the factory default password of user ${users[0]}` : `the factory default passwords of users ${users.join(', ')}`;
    return verdict.fail(`The device accepted ${what} on ${whereAccepted} (sources in default-credentials.json).`);
  }
  if (unanswered.length > 0) {
    return verdict.inconclusive(
      `No default pair was accepted, but ${unanswered.length} of ${tried.length} attempts got no usable answer (first: ${unanswered[0]!.username} on ${unanswered[0]!.method}: ${unanswered[0]!.result}).`,
    );
  }
  return verdict.pass(`All ${pairs.length} published default pairs for ${o.protocol} were refused on ${methods}.`);
}
