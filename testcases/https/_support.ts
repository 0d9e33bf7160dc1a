// Shared steps of the web session checks: which account they use, logging in with a clear inconclusive
// answer when that fails, and ending every session they opened.
import { verdict, type CheckContext, type CheckOutcome, type PlanContext } from '../../src/core/testcase.js';
import type { Credential, Profile } from '../../src/profiles/schema.js';
import { HttpTransportError } from '../../src/protocols/http/client.js';
import type { WebLoginResult, WebSession } from '../../src/protocols/http/web-session.js';

/** Least privilege first: the session checks need any account, and the weakest one disturbs least. */
export const SESSION_ROLES: Credential['role'][] = ['read-only', 'operator', 'engineer', 'admin'];

type Ctx = CheckContext<'https'>;

/** Failing findings named in a reason; the rest are counted (all of them are in the findings). */
const MAX_NAMED = 4;

/** The form login is what carries a cookie session; HTTP Basic keeps none. */
export function needsForm({ service }: PlanContext<'https'>): true | string {
  return service.login.form ? true : 'the web UI declares no login form, and HTTP Basic keeps no session to test';
}

/** Mirrors ctx.credentialFor at plan time: an https account that is not the one the lockout probe may lock. */
export function needsAccount({ profile }: PlanContext<'https'>): string | undefined {
  return webAccount(profile) ? undefined : 'the profile has no https account other than the lockout account';
}

function webAccount(profile: Profile): Credential | undefined {
  return Object.entries(profile.credentials).find(
    ([name, c]) => name !== profile.safety.lockoutAccount && (!c.protocols || c.protocols.includes('https')),
  )?.[1];
}

export function account(ctx: Ctx): Credential {
  const c = ctx.credentialFor(SESSION_ROLES);
  // The precondition guarantees one; this guards a profile changed between planning and running.
  if (!c) throw new Error('the profile has no https account other than the lockout account');
  return c;
}

/** One paced form login, kept open. */
export async function login(ctx: Ctx, credential: Credential, name = `log in as ${credential.username}`): Promise<WebLoginResult> {
  await ctx.paceLogin();
  return ctx.step(name, () => ctx.client.login(credential.username, credential.password, { signal: ctx.signal }));
}

/**
 * Undefined when the protected page refuses a request without a session, else the inconclusive outcome: a page
 * anyone may open cannot tell a live session from a dead one, so every "the session still works" would be false.
 */
export async function protectedPageNeedsSession(ctx: Ctx): Promise<CheckOutcome | undefined> {
  const path = ctx.service.protectedPath;
  let status: number;
  try {
    status = (await ctx.step(`${path} without a session`, () => ctx.client.request({ path, note: 'without a session' }))).status;
  } catch (err) {
    if (err instanceof HttpTransportError) return verdict.inconclusive(`The protected page ${path} did not answer: ${err.message}.`);
    throw err;
  }
  if (status >= 200 && status < 300) {
    return verdict.inconclusive(`The protected page ${path} opens without a session (${status}), so it cannot show whether a session works; set protectedPath to a page that needs a login.`);
  }
  return undefined;
}

/** The session, or the inconclusive outcome that explains why there is none (or why the protected page cannot judge it). */
export async function loginOrExplain(ctx: Ctx, credential: Credential, name?: string): Promise<WebSession | CheckOutcome> {
  const open = await protectedPageNeedsSession(ctx);
  if (open) return open;
  const r = await login(ctx, credential, name);
  if (r.outcome === 'accepted' && r.session) return r.session;
  if (r.outcome === 'error') return verdict.inconclusive(`Logging in as ${credential.username} got no answer (${r.why ?? r.answer}).`);
  return verdict.inconclusive(
    `The profile's account ${credential.username} could not log in (the login answered ${r.answer}; the protected page ${ctx.service.protectedPath} then answered ${r.protectedStatus ?? 'nothing'}), so there is no session to test.`,
  );
}

export function isOutcome(x: WebSession | CheckOutcome): x is CheckOutcome {
  return 'verdict' in x;
}

/** Logs every session out (when the profile names a logout path); never throws. */
export async function logoutAll(ctx: Ctx, sessions: readonly WebSession[]): Promise<void> {
  for (const s of sessions) await ctx.client.logout(s);
}

/** The judged outcome of a list of findings: pass, fail or inconclusive, with the reason given for pass and fail. */
export function judged(ctx: Ctx, findings: Parameters<Ctx['kb']['judge']>[0], pass: string, fail: (failing: string) => string): CheckOutcome {
  const j = ctx.kb.judge(findings, ctx.targetSecurityLevel);
  if (j.verdict === 'fail') {
    const named = j.failing.slice(0, MAX_NAMED).map((f) => `${f.value} (${f.grade})`).join('; ');
    const worst = j.failing.length > MAX_NAMED ? `${named}; and ${j.failing.length - MAX_NAMED} more` : named;
    return verdict.fail(fail(worst), findings);
  }
  if (j.verdict === 'error') return verdict.inconclusive(j.reason, findings);
  return verdict.pass(pass, findings);
}
