import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { HttpTransportError } from '../../src/protocols/http/client.js';
import type { WebSession } from '../../src/protocols/http/web-session.js';
import { account, login, logoutAll, needsAccount, needsForm, protectedPageNeedsSession } from './_support.js';

interface Round {
  session: number;
  login: string;
  oldestStillWorks?: boolean;
}

export default defineTestCase({
  id: 'https-session-limit',
  title: 'The web UI limits concurrent sessions per user',
  description:
    "Logs in again and again with one web account, keeping every session open, up to the profile's safety.maxSessions. " +
    'After each login it checks that the oldest session still works. It passes when the device refuses a new session, ' +
    'or ends an older one, before the bound; it fails when every session was accepted and all still work. All sessions ' +
    'are logged out at the end (without a logoutPath they are left to expire).',
  requirements: ['CR 2.7'],
  minSecurityLevel: 3,
  componentTypes: 'all',
  protocol: 'https',
  safety: 'disruptive',
  applicable: needsForm,
  preconditions: needsAccount,
  async run(ctx) {
    const credential = account(ctx);
    const bound = ctx.profile.safety.maxSessions;
    const open: WebSession[] = [];
    const rounds: Round[] = [];
    let accepted = 0;
    const publicPage = await protectedPageNeedsSession(ctx);
    if (publicPage) return publicPage;
    try {
      for (let n = 1; n <= bound; n++) {
        const r = await login(ctx, credential, `session ${n}`);
        if (r.outcome !== 'accepted' || !r.session) {
          rounds.push({ session: n, login: `${r.outcome}: ${r.why ?? r.answer}` });
          if (r.outcome === 'error') return verdict.inconclusive(`Login ${n} got no answer (${r.why ?? r.answer}), which is no session-limit answer.`);
          if (open.length === 0) return verdict.inconclusive(`Not even one session could be opened as ${credential.username} (${r.answer}).`);
          // A refusal could also be a lockout or a rate limit: freeing one session must make room again.
          let confirmed = '';
          if (ctx.service.logoutPath) {
            const first = open.shift()!;
            await ctx.step('log out one session to make room', () => ctx.client.logout(first));
            const retry = await login(ctx, credential, `session ${n} again after one logout`);
            if (retry.session) open.push(retry.session);
            rounds.push({ session: n, login: `after one logout: ${retry.outcome}: ${retry.why ?? retry.answer}` });
            if (retry.outcome !== 'accepted') {
              return verdict.inconclusive(
                `Session ${n} was refused (${r.answer}), but so was a login after one session was logged out (${retry.answer}), so the refusal is not shown to be a session limit.`,
              );
            }
            confirmed = ', and accepted it once one session was logged out';
          }
          const f = ctx.kb.web.behaviour('sessionsLimited', `session ${n} of ${credential.username} refused: ${r.answer}`);
          ctx.measure('sessionLimit', n - 1, 'sessions');
          return verdict.pass(
            `The device refused session ${n} of ${credential.username} (${r.answer}) while ${n - 1} were open${confirmed}.`,
            [f],
          );
        }
        open.push(r.session);
        accepted++;
        const round: Round = { session: n, login: 'accepted' };
        rounds.push(round);
        if (open.length > 1) {
          let oldest;
          try {
            oldest = await ctx.step(`is session 1 still alive with ${n} open`, () => ctx.client.works(open[0]!, 'oldest session'));
          } catch (err) {
            if (err instanceof HttpTransportError) {
              return verdict.inconclusive(`The protected page stopped answering with ${n} sessions open: ${err.message}.`);
            }
            throw err;
          }
          round.oldestStillWorks = oldest.works;
          if (!oldest.works) {
            const f = ctx.kb.web.behaviour('sessionsLimited', `session 1 ended when session ${n} opened (${oldest.status})`);
            ctx.measure('sessionLimit', n - 1, 'sessions');
            return verdict.pass(`When session ${n} of ${credential.username} opened, the device ended the oldest one (${oldest.status}).`, [f]);
          }
        }
      }
      const f = ctx.kb.web.behaviour('sessionsUnlimited', `${bound} concurrent sessions of ${credential.username} accepted`);
      ctx.measure('sessionLimit', `none within ${bound}`);
      return verdict.fail(
        `The device accepted all ${bound} concurrent sessions of ${credential.username} the profile lets the probe open, and the oldest still worked.`,
        [f],
      );
    } finally {
      ctx.attach('sessions.json', { account: credential.username, bound, rounds });
      ctx.measure('sessionsAccepted', accepted, 'sessions');
      await ctx.step(`log out ${open.length} session(s)`, () => logoutAll(ctx, open));
    }
  },
});
