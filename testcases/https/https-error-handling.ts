import { randomBytes } from 'node:crypto';
import { defineTestCase, verdict } from '../../src/core/testcase.js';
import type { Finding } from '../../src/knowledge/index.js';
import { HttpTransportError, fingerprint, type HttpAnswer } from '../../src/protocols/http/client.js';
import type { WebSession } from '../../src/protocols/http/web-session.js';
import { SESSION_ROLES, judged, logoutAll } from './_support.js';

/** Answers that mean "log in first": the error path is then retried with a session, when an account exists. */
const needsLogin = (a: HttpAnswer) => a.status === 401 || a.status === 403 || (a.status >= 300 && a.status < 400);
const EXCERPT = 4000;

export default defineTestCase({
  id: 'https-error-handling',
  title: 'Web error pages leak no internals',
  description:
    "Requests a page that does not exist and each of the profile's errorPaths, retrying with a session when a path " +
    'asks for a login, and searches every answer for stack traces, server file paths, software versions and database ' +
    'errors by the patterns in the knowledge base.',
  requirements: ['CR 3.7'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'https',
  safety: 'read',
  async run(ctx) {
    const missing = `/otconform-missing-${randomBytes(6).toString('hex')}`;
    const paths = [missing, ...ctx.service.errorPaths];
    const findings: Finding[] = [];
    const answers: Array<{ path: string; status: number; withSession: boolean; leaks: string[]; body: string }> = [];
    const credential = ctx.service.login.form ? ctx.credentialFor(SESSION_ROLES) : undefined;
    let session: WebSession | undefined;
    let unanswered = 0;
    try {
      for (const path of paths) {
        let answer: HttpAnswer;
        let withSession = false;
        try {
          answer = await ctx.step(`request ${path}`, () => ctx.client.request({ path, note: 'error probe' }));
          if (needsLogin(answer) && path !== missing && credential) {
            if (!session) {
              await ctx.paceLogin();
              const r = await ctx.step(`log in as ${credential.username} for the error paths`, () =>
                ctx.client.login(credential.username, credential.password, { signal: ctx.signal }),
              );
              session = r.session;
            }
            if (session) {
              const s = session;
              answer = await ctx.step(`request ${path} with a session`, () => ctx.client.request({ path, jar: s.jar, note: 'error probe with session' }));
              withSession = true;
            }
          }
        } catch (err) {
          if (!(err instanceof HttpTransportError)) throw err;
          unanswered++;
          answers.push({ path, status: 0, withSession, leaks: [`no answer: ${err.message}`], body: '' });
          continue;
        }
        // A debug page may echo the request's Cookie header: the live session id is masked before it is evidence.
        const text = withSession && session?.id && session.id.length >= 8 ? answer.text.split(session.id).join(`#${fingerprint(session.id)}`) : answer.text;
        const leaks = ctx.kb.web.errorLeaks(text);
        findings.push(...(leaks.length > 0 ? leaks.map((l) => ({ ...l.finding, value: `${path} -> ${answer.status}: ${l.finding.value}` })) : [ctx.kb.web.noErrorLeak(`${path} (${answer.status})`)]));
        answers.push({ path, status: answer.status, withSession, leaks: leaks.map((l) => `${l.name}: ${l.excerpt}`), body: text.slice(0, EXCERPT) });
      }
    } finally {
      if (session) await logoutAll(ctx, [session]);
    }
    ctx.attach('error-pages.json', answers);
    ctx.measure('pagesProbed', answers.length, 'pages');
    ctx.measure('leaksFound', findings.filter((f) => f.subject === 'web.errorPage' && f.grade !== 'strong').length, 'leaks');
    if (unanswered === paths.length) return verdict.inconclusive(`None of the ${paths.length} error probes was answered.`);
    const outcome = judged(
      ctx,
      findings,
      `${answers.length - unanswered} error page(s) (${answers.map((a) => `${a.path} ${a.status}`).join(', ')}) show no stack trace, file path, software version or database error.`,
      (worst) => `Error pages leak internals: ${worst}.`,
    );
    if (outcome.verdict === 'pass' && unanswered > 0) {
      return verdict.inconclusive(`${unanswered} of ${paths.length} error probes got no answer; the others leaked nothing.`, findings);
    }
    return outcome;
  },
});
