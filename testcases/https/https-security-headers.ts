import { defineTestCase, verdict } from '../../src/core/testcase.js';
import type { Finding } from '../../src/knowledge/index.js';
import { HttpTransportError, type HttpAnswer } from '../../src/protocols/http/client.js';
import { SESSION_ROLES, judged, logoutAll } from './_support.js';

export default defineTestCase({
  id: 'https-security-headers',
  title: 'The web UI sends security headers and hides its software version',
  description:
    'Reads the response headers of the login page and, after logging in with the least privileged web account, of the ' +
    'protected page, and grades them against the knowledge base: HSTS, Content-Security-Policy, framing protection ' +
    '(CSP frame-ancestors or X-Frame-Options), X-Content-Type-Options, Referrer-Policy, Cache-Control no-store on pages ' +
    'served with a session, and Server / X-Powered-By version disclosure. Each control is graded on its weakest page. ' +
    'Without an account only the login page is judged and the cache rule is not measured.',
  // HSTS and no-store keep session data confidential in transit and at rest in caches (CR 4.1); CSP, framing and
  // nosniff protect the integrity of the authenticated session against injected or framed content (CR 3.8).
  requirements: ['CR 4.1', 'CR 3.8'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'https',
  safety: 'read',
  async run(ctx) {
    const pages: Array<{ page: string; status: number; authenticated: boolean; headers: Record<string, string> }> = [];
    const findings: Finding[] = [];
    // The same weakness on several pages is named once in the reason (every page keeps its own finding).
    const plain = new Map<Finding, string>();
    const judge = (page: string, a: HttpAnswer, authenticated: boolean) => {
      pages.push({ page, status: a.status, authenticated, headers: a.headers });
      for (const f of [...ctx.kb.web.securityHeaders(a.headers, authenticated), ...ctx.kb.web.versionDisclosure(a.headers)]) {
        const onPage = { ...f, value: `${page}: ${f.value}` };
        plain.set(onPage, `${f.value} (${f.grade})`);
        findings.push(onPage);
      }
    };
    const entry = ctx.service.login.form?.path ?? ctx.service.login.basic?.path ?? ctx.service.protectedPath;
    let first: HttpAnswer;
    try {
      first = await ctx.step(`headers of ${entry}`, () => ctx.client.request({ path: entry, note: 'headers' }));
    } catch (err) {
      if (err instanceof HttpTransportError) return verdict.inconclusive(`${entry} did not answer: ${err.message}.`);
      throw err;
    }
    // An error page often comes from another layer (a proxy, a fallback handler) with other headers than the UI.
    if (first.status >= 400 && first.status !== 401) {
      ctx.attach('headers.json', [{ page: entry, status: first.status, authenticated: false, headers: first.headers }]);
      return verdict.inconclusive(`${entry} answered ${first.status}, an error page, so the headers of the web UI itself cannot be judged (check the login paths in the profile).`);
    }
    judge(entry, first, false);
    const credential = ctx.credentialFor(SESSION_ROLES);
    let sessionNote = '';
    if (credential && ctx.service.login.form) {
      await ctx.paceLogin();
      const r = await ctx.step(`log in as ${credential.username}`, () => ctx.client.login(credential.username, credential.password, { signal: ctx.signal }));
      if (r.session) {
        const s = r.session;
        try {
          const page = await ctx.step(`headers of ${ctx.service.protectedPath} with a session`, () =>
            ctx.client.request({ path: ctx.service.protectedPath, jar: s.jar, note: 'headers with session' }),
          );
          if (page.status >= 200 && page.status < 300) judge(`${ctx.service.protectedPath} (logged in)`, page, true);
          else sessionNote = ` The protected page answered ${page.status} with a session, so caching of authenticated pages was not judged.`;
        } catch (err) {
          if (!(err instanceof HttpTransportError)) throw err;
          sessionNote = ` The protected page did not answer with a session (${err.message}), so caching of authenticated pages was not judged.`;
        } finally {
          await logoutAll(ctx, [s]);
        }
      } else {
        sessionNote = ` Logging in failed (${r.why ?? r.answer}), so caching of authenticated pages was not judged.`;
      }
    } else {
      sessionNote = ' No web account or login form, so caching of authenticated pages was not judged.';
    }
    ctx.attach('headers.json', pages);
    const outcome = judged(
      ctx,
      findings,
      `Every page judged (${pages.map((p) => p.page).join(', ')}) sends the security headers and names no software version.${sessionNote}`,
      () => {
        const failing = ctx.kb.judge(findings, ctx.targetSecurityLevel).failing;
        return `Security headers fall short at SL-C ${ctx.targetSecurityLevel}: ${[...new Set(failing.map((f) => plain.get(f)))].join('; ')}.${sessionNote}`;
      },
    );
    // A pass that could not look at an authenticated page has not measured the cache rule.
    if (outcome.verdict === 'pass' && sessionNote) return verdict.inconclusive(`The pages served without a session pass.${sessionNote}`, findings);
    return outcome;
  },
});
