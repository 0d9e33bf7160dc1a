import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { account, isOutcome, judged, loginOrExplain, logoutAll, needsAccount, needsForm } from './_support.js';

export default defineTestCase({
  id: 'https-cookie-flags',
  title: 'The web session cookie is Secure, HttpOnly and SameSite',
  description:
    "Logs in with the profile's least privileged web account, finds the cookie that carries the session, and grades " +
    'the attributes the device set on it (Secure, HttpOnly, SameSite) against the knowledge base; then logs out.',
  requirements: ['CR 3.8'],
  minSecurityLevel: 2,
  componentTypes: 'all',
  protocol: 'https',
  safety: 'read',
  applicable: needsForm,
  preconditions: needsAccount,
  async run(ctx) {
    const session = await loginOrExplain(ctx, account(ctx));
    if (isOutcome(session)) return session;
    try {
      const cookie = session.cookie;
      if (!cookie || !session.cookieName) {
        const names = session.jar.list().map((c) => c.name);
        return verdict.inconclusive(
          names.length === 0
            ? 'The login worked but the device set no cookie, so the session is carried some other way (e.g. a token in the page) and cannot be judged here.'
            : `The login worked but none of the cookies (${names.join(', ')}) could be identified as the session cookie.`,
        );
      }
      const facts = { name: cookie.name, secure: cookie.secure, httpOnly: cookie.httpOnly, ...(cookie.sameSite ? { sameSite: cookie.sameSite } : {}) };
      ctx.attach('session-cookie.json', { ...facts, path: cookie.path, domain: cookie.domain, expires: cookie.expires && new Date(cookie.expires).toISOString() });
      const findings = ctx.kb.web.cookieAttributes(facts);
      const shown = findings.map((f) => f.value.replace(`${cookie.name}: `, '')).join(', ');
      return judged(
        ctx,
        findings,
        `The session cookie ${cookie.name} is set with ${shown}.`,
        (worst) => `The session cookie ${cookie.name} falls short at SL-C ${ctx.targetSecurityLevel}: ${worst}.`,
      );
    } finally {
      await logoutAll(ctx, [session]);
    }
  },
});
