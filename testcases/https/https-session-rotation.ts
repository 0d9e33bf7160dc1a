import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { randomBytes } from 'node:crypto';
import { HttpTransportError, fingerprint } from '../../src/protocols/http/client.js';
import type { WebSession } from '../../src/protocols/http/web-session.js';
import { account, isOutcome, loginOrExplain, logoutAll, needsAccount, needsForm } from './_support.js';

export default defineTestCase({
  id: 'https-session-rotation',
  title: 'The web UI issues a new session id at login (no session fixation)',
  description:
    'Logs in and compares the session cookie before and after the credentials were sent. When the login page sets a ' +
    'session cookie, the id after login must differ and the old id must not open the protected page. When it sets none, ' +
    'the probe plants an id of its own choosing in the session cookie before logging in: the device must not adopt it.',
  requirements: ['CR 3.8'],
  minSecurityLevel: 2,
  componentTypes: 'all',
  protocol: 'https',
  safety: 'read',
  applicable: needsForm,
  preconditions: needsAccount,
  async run(ctx) {
    const credential = account(ctx);
    const sessions: WebSession[] = [];
    try {
      const first = await loginOrExplain(ctx, credential);
      if (isOutcome(first)) return first;
      sessions.push(first);
      if (!first.cookieName || first.id === undefined) {
        return verdict.inconclusive('The login worked but no session cookie could be identified, so rotation cannot be judged.');
      }
      let probe: WebSession = first;
      let planted = false;
      if (first.preLoginId === undefined) {
        // No pre-login id: an attacker would plant one. Log in again holding an id we chose.
        const value = randomBytes(24).toString('base64url');
        await ctx.client.logout(first);
        await ctx.paceLogin();
        const r = await ctx.step(`log in again holding a planted ${first.cookieName}`, () =>
          ctx.client.login(credential.username, credential.password, { plantCookie: { name: first.cookieName!, value }, signal: ctx.signal }),
        );
        if (r.outcome !== 'accepted' || !r.session) {
          return verdict.inconclusive(`The login with a planted ${first.cookieName} cookie was not accepted (${r.why ?? r.answer}), so fixation cannot be judged.`);
        }
        sessions.push(r.session);
        probe = r.session;
        planted = true;
      }
      const before = probe.preLoginId;
      const after = probe.id;
      if (before === undefined) {
        // The session was carried by another cookie than the one planted or issued before login.
        return verdict.inconclusive(`The session after login is carried by ${probe.cookieName}, not by the cookie held before login, so rotation cannot be judged.`);
      }
      ctx.attach('rotation.json', {
        cookie: probe.cookieName,
        beforeLogin: `#${fingerprint(before)}`,
        afterLogin: after === undefined ? null : `#${fingerprint(after)}`,
        plantedByProbe: planted,
      });
      const what = planted ? 'the id the probe planted' : 'the id the login page issued';
      if (after === before) {
        ctx.measure('rotatedAtLogin', false);
        const f = ctx.kb.web.behaviour('notRotatedAtLogin', `${probe.cookieName} kept ${what} through login`);
        return verdict.fail(`The session cookie ${probe.cookieName} kept ${what} through login, so a fixed or observed pre-login id becomes an authenticated session.`, [f]);
      }
      // A new cookie is not enough if the old id was upgraded as well.
      let old;
      try {
        old = await ctx.step(`replay ${what}`, () => ctx.client.works({ ...probe, jar: ctx.client.ui.replayJar(probe, before) }, 'pre-login id after login'));
      } catch (err) {
        if (err instanceof HttpTransportError) return verdict.inconclusive(`Replaying the pre-login id got no answer: ${err.message}.`);
        throw err;
      }
      ctx.measure('rotatedAtLogin', !old.works);
      if (old.works) {
        const f = ctx.kb.web.behaviour('notRotatedAtLogin', `${what} still opens ${ctx.service.protectedPath} after login`);
        return verdict.fail(`The device issued a new ${probe.cookieName} at login, but ${what} also opens ${ctx.service.protectedPath} (${old.status}), so it was authenticated too.`, [f]);
      }
      const f = ctx.kb.web.behaviour('rotatedAtLogin', `new ${probe.cookieName} at login; ${what} answered ${old.status}`);
      return verdict.pass(`The device issued a new ${probe.cookieName} at login and ${what} does not open ${ctx.service.protectedPath} (${old.status}).`, [f]);
    } finally {
      await logoutAll(ctx, sessions);
    }
  },
});
