import { defineTestCase, verdict } from '../../src/core/testcase.js';
import type { SshSession } from '../../src/protocols/ssh/session.js';
import { SESSION_ROLES, sessionAccountMissing } from './_support.js';

export default defineTestCase({
  id: 'ssh-session-limit',
  title: 'The SSH server limits concurrent sessions of one account',
  description:
    'Logs in with one SSH account (never the lockout account) again and again, keeping every session (login and ' +
    "shell) open, until the device refuses one or the profile's maxSessions bound is reached; then closes them all. " +
    'A refusal of the login or of the shell is a limit; a device that accepts every session can be exhausted ' +
    'by one account.',
  requirements: ['CR 2.7'],
  minSecurityLevel: 3,
  componentTypes: 'all',
  protocol: 'ssh',
  safety: 'disruptive',
  preconditions: ({ profile }) => sessionAccountMissing(profile),
  async run(ctx) {
    const account = ctx.credentialFor([...SESSION_ROLES]);
    if (!account) return verdict.inconclusive('No SSH account (other than the lockout account) is available to log in with.');
    const bound = ctx.profile.safety.maxSessions;
    const open: SshSession[] = [];
    const log: { session: number; result: string }[] = [];
    const alive = () => open.filter((s) => s.isOpen()).length;
    try {
      for (let n = 1; n <= bound; n++) {
        await ctx.paceLogin();
        const r = await ctx.client.openSession(account.username, account.password);
        if (r.opened) {
          open.push(r.session);
          log.push({ session: n, result: `open (${alive()} alive)` });
          continue;
        }
        const why = r.shellRefused ?? r.shellFailed ?? `${r.attempt.answer}${r.attempt.detail ? ` (${r.attempt.detail})` : ''}`;
        log.push({ session: n, result: `refused: ${why}` });
        ctx.attach('sessions.json', log);
        ctx.measure('concurrent sessions accepted', alive(), 'sessions');
        if (open.length === 0) return verdict.inconclusive(`Not even one session of ${account.username} could be opened: ${why}.`);
        // A refused login or shell is a limit; a shell that timed out, or a login without an answer, is not.
        if (r.shellFailed || (!r.shellRefused && r.attempt.outcome !== 'refused')) {
          return verdict.inconclusive(`Session ${n} failed without a refusal (${why}), so a session limit cannot be told from a fault.`);
        }
        if (alive() < open.length) {
          return verdict.inconclusive(
            `Session ${n} was refused, but ${open.length - alive()} earlier session(s) had already ended, so the limit cannot be told from an idle timeout.`,
          );
        }
        ctx.measure('sessionLimit', alive(), 'sessions');
        return verdict.pass(`The device refused session ${n} of ${account.username} (${why}) while ${alive()} concurrent sessions were open.`);
      }
      ctx.attach('sessions.json', log);
      ctx.measure('concurrent sessions accepted', alive(), 'sessions');
      if (alive() < bound) {
        return verdict.inconclusive(
          `All ${bound} logins were accepted, but ${bound - alive()} earlier session(s) ended meanwhile (an eviction or an idle timeout), so the limit is unclear.`,
        );
      }
      ctx.measure('sessionLimit', `none within ${bound}`);
      return verdict.fail(`The device accepted all ${bound} concurrent sessions of ${account.username} the profile lets the probe open, with no limit in sight.`);
    } finally {
      await Promise.allSettled(open.map((s) => s.close()));
    }
  },
});
