import { defineTestCase, verdict } from '../../src/core/testcase.js';
import type { Profile } from '../../src/profiles/schema.js';
import { HttpTransportError } from '../../src/protocols/http/client.js';
import { account, isOutcome, loginOrExplain, logoutAll, needsAccount, needsForm } from './_support.js';

/** Waiting a little past the limit: the device's timer and ours do not start at the same instant. */
const margin = (idleMs: number) => Math.max(1000, Math.round(idleMs * 0.05));
/** Room for the logins and requests around the wait. */
const OVERHEAD_MS = 20_000;
const needed = (p: Profile) => p.policy.idleTimeoutMaxMs + margin(p.policy.idleTimeoutMaxMs) + OVERHEAD_MS;

export default defineTestCase({
  id: 'https-idle-timeout',
  title: 'The web UI ends a session left idle',
  description:
    "Logs in with the profile's least privileged web account, proves the session opens the protected page, leaves it " +
    "unused for the profile's policy.idleTimeoutMaxMs plus a small margin, and asks for the protected page again: the " +
    'device must no longer honour the session. A fresh login afterwards proves the device still serves sessions, so the ' +
    'refusal is due to the idle time.',
  requirements: ['CR 2.5', 'CR 2.6'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'https',
  safety: 'read',
  applicable: needsForm,
  preconditions: needsAccount,
  // It waits as long as the profile's idle limit, so its timeout grows with it.
  timeoutMs: (profile) => Math.max(profile.timeouts.checkMs, needed(profile)),
  async run(ctx) {
    const credential = account(ctx);
    const idleMs = ctx.profile.policy.idleTimeoutMaxMs;
    const waitMs = idleMs + margin(idleMs);
    const opened = await loginOrExplain(ctx, credential);
    if (isOutcome(opened)) return opened;
    const sessions = [opened];
    try {
      const started = Date.now();
      await ctx.step(`stay idle for ${waitMs} ms`, () => ctx.sleep(waitMs));
      let after;
      try {
        after = await ctx.step('use the idle session', () => ctx.client.works(opened, 'protected page after idling'));
      } catch (err) {
        if (err instanceof HttpTransportError) return verdict.inconclusive(`After ${waitMs} ms idle the protected page did not answer: ${err.message}.`);
        throw err;
      }
      const idled = Date.now() - started;
      ctx.measure('idleMs', idled, 'ms');
      ctx.measure('sessionWorksAfterIdle', after.works);
      // For the supplier's claims (src/core/claims.ts): only one request after the wait, so the device's timeout is
      // known to be longer than the idle time (still open) or at most it (ended; exactly when is not seen).
      ctx.measure(after.works ? 'idleStillOpenAfterMs' : 'idleEndedWithinMs', idled, 'ms');
      if (after.works) {
        const f = ctx.kb.web.behaviour('validWhenIdle', `${credential.username}'s session opened ${ctx.service.protectedPath} after ${idled} ms idle`);
        return verdict.fail(
          `A session left idle for ${idled} ms (policy ${idleMs} ms) still opened ${ctx.service.protectedPath} (${after.status}).`,
          [f],
        );
      }
      const fresh = await loginOrExplain(ctx, credential, 'log in again to prove the device still serves sessions');
      if (isOutcome(fresh)) {
        return verdict.inconclusive(`The idle session was refused (${after.status}), but a fresh login failed too, so the refusal cannot be put down to the idle time: ${fresh.reason}`);
      }
      sessions.push(fresh);
      const f = ctx.kb.web.behaviour('endedWhenIdle', `idle ${idled} ms, then ${ctx.service.protectedPath} answered ${after.status}`);
      return verdict.pass(
        `After ${idled} ms idle (policy ${idleMs} ms) the session no longer opened ${ctx.service.protectedPath} (${after.status}), while a fresh login did.`,
        [f],
      );
    } finally {
      await logoutAll(ctx, sessions);
    }
  },
});
