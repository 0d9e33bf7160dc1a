import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { bestEndpoint, label, listEndpoints } from './_support.js';

// Answers that mean "the server decided not to let this user in", as opposed to a transport fault.
const ACCESS_DENIED = new Set(['BadUserAccessDenied', 'BadIdentityTokenRejected', 'BadIdentityTokenInvalid']);

// A password no real account has: long, random per run, never logged (the transcript records usernames only).
const wrongPassword = () => `otconform-wrong-${Math.random().toString(36).slice(2)}-${Date.now()}`;

export default defineTestCase({
  id: 'opcua-login-lockout',
  title: 'Repeated failed OPC UA logins lock the account',
  description:
    'Measures lockout by behaviour on the profile\'s lockout account only. In round k it sends k wrong passwords ' +
    'in a row, then the correct one: the first round whose correct password is refused gives the number of ' +
    'failures until lockout, and proves that a correct password is refused while locked. It stops at the ' +
    'profile\'s maxLoginAttempts and leaves the account locked for the device\'s lockout time. It assumes a ' +
    'successful login resets the failure counter; on a device that does not, the count is a lower bound.',
  requirements: ['CR 1.11'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'opcua',
  safety: 'auth-attempt',
  locksAccounts: true,
  async run(ctx) {
    const account = ctx.profile.credentials[ctx.profile.safety.lockoutAccount ?? ''];
    if (!account) return verdict.inconclusive('The lockout account named in the profile does not exist.');
    const endpoints = await listEndpoints(ctx);
    const endpoint = bestEndpoint(endpoints, 'UserName', ctx.kb);
    if (!endpoint) return verdict.notApplicable('No endpoint accepts user-name logins, so there is nothing to lock.');
    const login = async (password: string) => {
      await ctx.paceLogin();
      const { attempt, session } = await ctx.client.openSession({
        securityPolicy: endpoint.securityPolicy,
        securityMode: endpoint.securityMode,
        identity: { type: 'username', username: account.username, password },
      });
      await session?.close();
      return attempt;
    };

    const baseline = await ctx.step('correct password before probing', () => login(account.password));
    if (!baseline.ok) {
      return verdict.inconclusive(
        `The lockout account cannot log in before probing (${baseline.statusCode ?? baseline.message}): wrong password in the profile, or already locked.`,
      );
    }
    const max = ctx.profile.safety.maxLoginAttempts;
    const rounds: Array<{ failures: number; wrongRefusedWith: string[]; correctPassword: string }> = [];
    let failuresSent = 0;
    for (let k = 1; k <= max; k++) {
      const wrong: string[] = [];
      for (let i = 0; i < k; i++) {
        const attempt = await login(wrongPassword());
        failuresSent++;
        if (attempt.ok) {
          ctx.attach('rounds.json', rounds);
          return verdict.fail(`A wrong password was accepted for ${account.username} on ${label(endpoint)}.`);
        }
        wrong.push(attempt.statusCode ?? 'refused');
      }
      const correct = await login(account.password);
      rounds.push({ failures: k, wrongRefusedWith: [...new Set(wrong)], correctPassword: correct.ok ? 'accepted' : correct.statusCode ?? 'refused' });
      if (!correct.ok) {
        ctx.attach('rounds.json', rounds);
        if (!ACCESS_DENIED.has(correct.statusCode ?? '')) {
          return verdict.inconclusive(
            `After ${k} failed logins the correct password failed with ${correct.statusCode ?? correct.message}, not an access-denied answer, so a lockout cannot be told from a fault.`,
          );
        }
        ctx.measure('failuresUntilLockout', k, 'attempts');
        ctx.measure('failedLoginsSent', failuresSent, 'attempts');
        ctx.measure('correctPasswordRefusedWhileLocked', true);
        return verdict.pass(
          `After ${k} consecutive failed logins the correct password for ${account.username} was refused ` +
            `(${correct.statusCode ?? 'refused'}): the account locks on ${label(endpoint)}.`,
        );
      }
    }
    ctx.attach('rounds.json', rounds);
    ctx.measure('failuresUntilLockout', 'none within bound');
    ctx.measure('failedLoginsSent', failuresSent, 'attempts');
    ctx.measure('correctPasswordRefusedWhileLocked', false);
    return verdict.fail(
      `No lockout: after up to ${max} consecutive failed logins (${failuresSent} in all) the correct password for ` +
        `${account.username} was still accepted on ${label(endpoint)}.`,
    );
  },
});
