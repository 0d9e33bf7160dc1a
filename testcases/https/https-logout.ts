import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { HttpTransportError } from '../../src/protocols/http/client.js';
import { account, isOutcome, loginOrExplain, needsAccount, needsForm } from './_support.js';

export default defineTestCase({
  id: 'https-logout',
  title: 'After logout the old web session no longer works',
  description:
    "Logs in, keeps a copy of the session's cookies, logs out through the profile's logoutPath, and replays the copy " +
    'on the protected page, as someone who copied the cookie would: the device must refuse it. The copy is first proved ' +
    'to work before logout, so a refusal afterwards is due to the logout.',
  requirements: ['CR 2.6', 'CR 3.8'],
  minSecurityLevel: 2,
  componentTypes: 'all',
  protocol: 'https',
  safety: 'read',
  applicable: needsForm,
  preconditions: (ctx) => ctx.service.logoutPath ? needsAccount(ctx) : 'the profile names no logoutPath for the web UI',
  async run(ctx) {
    const session = await loginOrExplain(ctx, account(ctx));
    if (isOutcome(session)) return session;
    const copy = { ...session, jar: session.jar.clone() };
    try {
      const before = await ctx.step('the copied cookies work before logout', () => ctx.client.works(copy, 'copied session before logout'));
      if (!before.works) {
        await ctx.client.logout(session);
        return verdict.inconclusive(`A copy of the session's cookies did not open ${ctx.service.protectedPath} even before logout (${before.status}), so replay cannot be judged.`);
      }
      const out = await ctx.step(`log out via ${ctx.service.logoutPath}`, () => ctx.client.logout(session));
      if (out?.error) return verdict.inconclusive(`The logout request got no answer: ${out.error}.`);
      const after = await ctx.step('replay the copied cookies after logout', () => ctx.client.works(copy, 'copied session after logout'));
      ctx.attach('logout.json', { logoutStatus: out?.status, protectedBeforeLogout: before.status, protectedAfterLogout: after.status, cookie: session.cookieName ?? null });
      ctx.measure('validAfterLogout', after.works);
      if (after.works) {
        const f = ctx.kb.web.behaviour('validAfterLogout', `${ctx.service.protectedPath} answered ${after.status} to the copied session after logout`);
        return verdict.fail(`After logout (${out?.status}) the old session still opened ${ctx.service.protectedPath} (${after.status}): logout only cleared the browser's cookie.`, [f]);
      }
      const f = ctx.kb.web.behaviour('invalidatedAtLogout', `${ctx.service.protectedPath} answered ${after.status} to the copied session after logout`);
      return verdict.pass(`After logout (${out?.status}) the old session no longer opens ${ctx.service.protectedPath} (${after.status}).`, [f]);
    } catch (err) {
      if (err instanceof HttpTransportError) return verdict.inconclusive(`The protected page did not answer: ${err.message}.`);
      throw err;
    }
  },
});
