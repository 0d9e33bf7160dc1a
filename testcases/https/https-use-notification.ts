import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { visibleText } from '../../src/protocols/http/answer.js';
import { HttpTransportError } from '../../src/protocols/http/client.js';

export default defineTestCase({
  id: 'https-use-notification',
  title: 'The web login page shows a system use notification',
  description:
    'Fetches the login page (or, for HTTP Basic only, the challenge) without logging in and looks in its visible text ' +
    'for a notice that use is restricted to authorised users and that activity is monitored, by the phrases in the ' +
    'knowledge base. A notice worded in a way the phrases do not know fails and must be reviewed by hand.',
  requirements: ['CR 1.12'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'https',
  safety: 'passive',
  async run(ctx) {
    const path = ctx.service.login.form?.path ?? ctx.service.login.basic?.path;
    if (!path) return verdict.notApplicable('The profile declares neither a login form nor an HTTP Basic path.');
    let page;
    try {
      page = await ctx.step(`fetch the login page ${path}`, () => ctx.client.request({ path, note: 'login page' }));
    } catch (err) {
      if (err instanceof HttpTransportError) return verdict.inconclusive(`The login page ${path} did not answer: ${err.message}.`);
      throw err;
    }
    const basic = !ctx.service.login.form;
    const expected = basic ? page.status === 401 : page.status >= 200 && page.status < 300;
    if (!expected) {
      return verdict.inconclusive(`The login page ${path} answered ${page.status} instead of ${basic ? 'a 401 challenge' : 'a page'}, so its notice cannot be read.`);
    }
    // With Basic, a browser shows only the realm (and the 401 page when the user cancels).
    const realm = page.headers['www-authenticate'] ?? '';
    const shown = `${basic ? `${realm} ` : ''}${visibleText(page.text)}`.trim();
    ctx.attach('login-page.txt', shown);
    const { finding, matches } = ctx.kb.web.useNotification(shown);
    ctx.measure('noticePhrases', matches.length, 'phrases');
    ctx.attach('notice.json', { page: path, status: page.status, matches });
    const j = ctx.kb.judge([finding], ctx.targetSecurityLevel);
    if (j.verdict === 'fail') {
      return verdict.fail(
        matches.length === 0
          ? `The login page ${path} shows no system use notification (no phrase restricting use to authorised users or announcing monitoring).`
          : `The login page ${path} shows only part of a system use notification (${finding.value}), below SL-C ${ctx.targetSecurityLevel}.`,
        [finding],
      );
    }
    if (j.verdict === 'error') return verdict.inconclusive(j.reason, [finding]);
    return verdict.pass(`The login page ${path} shows a system use notification: ${finding.value}.`, [finding]);
  },
});
