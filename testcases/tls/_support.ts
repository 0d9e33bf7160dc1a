// Shared by the TLS checks: what the audit offers (every suite and group the knowledge base knows), running a
// scan step so that an unreachable or non-TLS service becomes an honest inconclusive, and reasons that name
// the worst findings. Files starting with "_" are support code, not checks.
import type { CheckContext, CheckOutcome } from '../../src/core/testcase.js';
import { verdict } from '../../src/core/testcase.js';
import { gradeRank, type Finding, type Judgement, type KnowledgeBase } from '../../src/knowledge/index.js';
import { CertificateFetchError } from '../../src/protocols/tls/certificate.js';
import { suiteKex, TlsScanError, type TlsOffer } from '../../src/protocols/tls/fixture.js';
import { parseSuiteCode } from '../../src/protocols/tls/wire.js';

export type Ctx = CheckContext<'tls'>;

export function tlsOffer(kb: KnowledgeBase): TlsOffer {
  return {
    suites: kb.tlsCipherSuites().map((s) => ({ code: parseSuiteCode(s.code), name: s.iana, kex: suiteKex(s.iana) })),
    groups: kb.tlsGroups().map((g) => ({ code: g.code, name: g.name, kind: g.kind })),
  };
}

export function where(ctx: Ctx): string {
  return `${ctx.service.host}:${ctx.service.port}`;
}

/** Runs a scan step; a service that cannot be scanned at all becomes { outcome } (inconclusive), anything else throws. */
export async function scan<T>(ctx: Ctx, name: string, fn: () => Promise<T>): Promise<{ value: T } | { outcome: CheckOutcome }> {
  try {
    const value = await ctx.step(name, fn);
    return { value };
  } catch (err) {
    if (err instanceof TlsScanError || err instanceof CertificateFetchError) {
      return { outcome: verdict.inconclusive(`The TLS endpoint ${where(ctx)} could not be scanned: ${err.message}.`) };
    }
    throw err;
  } finally {
    ctx.measure('connections', ctx.client.connections);
  }
}

/** A finding for something the server's behaviour left open (timeouts, answers that fit no offer). */
export function undecided(subject: string, value: string, reason: string): Finding {
  return { subject, value, grade: 'unknown', reason, source: 'observed behaviour of the device' };
}

/** Findings with the same subject and value once only, keeping the first. */
export function distinct(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.subject}\0${f.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The lowest-graded finding ("unknown" counts as lowest), for pass reasons. */
export function weakestOf(findings: Finding[]): Finding | undefined {
  const rank = (f: Finding) => (f.grade === 'unknown' ? -1 : gradeRank(f.grade));
  return [...findings].sort((a, b) => rank(a) - rank(b))[0];
}

/** "3 broken (A, B, C), 2 weak (D, E)": the failing findings by grade, naming at most `per` of each. */
export function failingByGrade(judged: Judgement, per = 3): string {
  const byGrade = new Map<string, string[]>();
  for (const f of judged.failing) byGrade.set(f.grade, [...(byGrade.get(f.grade) ?? []), f.value]);
  return [...byGrade.entries()]
    .map(([grade, values]) => {
      const named = values.slice(0, per).join(', ');
      const more = values.length > per ? ` and ${values.length - per} more` : '';
      return `${values.length} ${grade} (${named}${more})`;
    })
    .join(', ');
}

/** The verdict of a judgement, with a reason of the check's own for each case. */
export function conclude(
  ctx: Ctx,
  findings: Finding[],
  reasons: { fail: (judged: Judgement) => string; pass: (judged: Judgement) => string },
): CheckOutcome {
  const judged = ctx.kb.judge(findings, ctx.targetSecurityLevel);
  if (judged.verdict === 'fail') return verdict.fail(reasons.fail(judged), findings);
  if (judged.verdict === 'error') return verdict.inconclusive(`${where(ctx)}: ${judged.reason}`, findings);
  return verdict.pass(reasons.pass(judged), findings);
}
