import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { SESSION_ROLES, sessionAccountMissing } from './_support.js';

/** Allowance for the device's timer granularity and the network, on top of the owner's maximum. */
const GRACE_MS = 500;

export default defineTestCase({
  id: 'ssh-idle-timeout',
  title: 'An idle SSH session is ended by the device',
  description:
    'Logs in with the least privileged SSH account of the profile (never the lockout account), opens a shell and ' +
    `then sends nothing: no input and no keepalives. Passes when the device ends the session within the profile's ` +
    `policy.idleTimeoutMaxMs (plus ${GRACE_MS} ms), so continuing needs a new login; fails when it is still open then.`,
  requirements: ['CR 2.5', 'CR 2.6'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'ssh',
  safety: 'read',
  // It waits the owner's idle maximum, so its timeout grows with it (plus room for the login around the wait).
  timeoutMs: (profile) => Math.max(profile.timeouts.checkMs, profile.policy.idleTimeoutMaxMs + GRACE_MS + 30_000),
  preconditions: ({ profile }) => sessionAccountMissing(profile),
  async run(ctx) {
    const account = ctx.credentialFor([...SESSION_ROLES]);
    if (!account) return verdict.inconclusive('No SSH account (other than the lockout account) is available to log in with.');
    await ctx.paceLogin();
    const opened = await ctx.step(`log in as ${account.username} and open a shell`, () => ctx.client.openSession(account.username, account.password));
    if (!opened.opened) {
      return verdict.inconclusive(
        `The session could not be opened (${opened.shellRefused ?? opened.shellFailed ?? opened.attempt.detail ?? opened.attempt.answer}), so idle handling cannot be observed.`,
      );
    }
    const { session } = opened;
    const limitMs = ctx.profile.policy.idleTimeoutMaxMs;
    const waitMs = limitMs + GRACE_MS;
    const outcome = await ctx.step(`stay idle for up to ${waitMs} ms`, async () => {
      let timer: NodeJS.Timeout | undefined;
      const stillOpen = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), waitMs)));
      try {
        return await Promise.race([session.ended, stillOpen, abortOn(ctx.signal)]);
      } finally {
        clearTimeout(timer);
      }
    });
    ctx.attach('session.json', { username: account.username, firstOutput: session.firstOutput(), idleLimitMs: limitMs, ended: outcome ?? null });
    if (!outcome) {
      await session.close();
      ctx.measure('idle session ended after', `still open after ${waitMs} ms`);
      // For the supplier's claims (src/core/claims.ts): a lower bound on the device's idle timeout.
      ctx.measure('idleStillOpenAfterMs', waitMs, 'ms');
      return verdict.fail(`The device kept an idle SSH session of ${account.username} open for ${waitMs} ms, beyond the ${limitMs} ms the policy allows.`);
    }
    ctx.measure('idle session ended after', outcome.afterMs, 'ms');
    // For the supplier's claims (src/core/claims.ts): the session's end was seen, so this is the timeout itself.
    if (outcome.afterMs >= 50) ctx.measure('idleEndedAfterMs', outcome.afterMs, 'ms');
    if (outcome.afterMs < 50) {
      return verdict.inconclusive(`The device ended the session ${outcome.afterMs} ms after the shell opened (${outcome.how}), too soon to be an idle timeout.`);
    }
    return verdict.pass(`The device ended the idle SSH session after ${outcome.afterMs} ms (${outcome.how}), within the ${limitMs} ms the policy allows.`);
  },
});

function abortOn(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
