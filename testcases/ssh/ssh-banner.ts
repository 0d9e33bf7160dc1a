import { randomBytes } from 'node:crypto';
import { defineTestCase, verdict } from '../../src/core/testcase.js';

export default defineTestCase({
  id: 'ssh-banner',
  title: 'The SSH service shows a notification before login',
  description:
    'Starts user authentication with a `none` request for a username no device has and records the ' +
    'pre-authentication banner (USERAUTH_BANNER) the server sends, which SSH clients show before the password ' +
    'prompt. Passes when a non-empty banner arrives; its text is attached for the auditor to judge against the ' +
    "owner's required wording.",
  requirements: ['CR 1.12'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'ssh',
  safety: 'passive',
  async run(ctx) {
    // A made-up user: the request cannot log anyone in or count against a real account.
    const probeUser = `otconform-banner-${randomBytes(4).toString('hex')}`;
    const r = await ctx.step('start user authentication and wait for a banner', () => ctx.client.authNone(probeUser));
    if (r.banner !== undefined) ctx.attach('banner.txt', r.banner);
    const text = r.banner?.trim() ?? '';
    ctx.measure('banner length', text.length, 'characters');
    if (text.length > 0) {
      const firstLine = text.split(/\r?\n/)[0]!.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 80);
      return verdict.pass(`The server shows a ${text.length}-character notification before login, beginning "${firstLine}".`);
    }
    if (r.outcome === 'error') {
      return verdict.inconclusive(`User authentication did not get an answer (${r.detail ?? r.answer}), so whether a banner would follow is unknown.`);
    }
    return verdict.fail(
      r.banner === undefined
        ? `The server answered user authentication (${r.answer}) without sending a pre-login banner.`
        : 'The server sends a pre-login banner, but it is empty.',
    );
  },
});
