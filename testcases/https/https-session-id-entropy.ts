import { defineTestCase, verdict } from '../../src/core/testcase.js';
import type { Finding } from '../../src/knowledge/index.js';
import { analyseSessionIds, maskId, type SessionIdSample } from '../../src/protocols/http/session-id-analysis.js';
import type { WebSession } from '../../src/protocols/http/web-session.js';
import { account, judged, login, logoutAll, needsAccount, needsForm } from './_support.js';

export default defineTestCase({
  id: 'https-session-id-entropy',
  title: 'Web session ids are unpredictable',
  description:
    'Logs in and out repeatedly (about 16 times, never holding more than one session when the profile names a ' +
    'logoutPath) and collects the session ids. It estimates their entropy as the number of character positions that ' +
    'varied times the bits per character of the smallest alphabet they use. That estimate is an upper bound: ids from ' +
    'a counter or a weak generator have less, so increasing ids, ids containing the login time and repeated ids fail ' +
    'whatever the estimate. The minimum (64 bits, OWASP) is data in the knowledge base.',
  requirements: ['CR 3.8'],
  minSecurityLevel: 2,
  componentTypes: 'all',
  protocol: 'https',
  safety: 'read',
  applicable: needsForm,
  preconditions: needsAccount,
  async run(ctx) {
    const credential = account(ctx);
    const web = ctx.kb.web;
    const wanted = web.sessionIdSampleSize;
    // Without a logout every sample stays open: never hold more than the session-limit probe may.
    const canLogOut = ctx.service.logoutPath !== undefined;
    const target = canLogOut ? wanted : Math.min(wanted, ctx.profile.safety.maxSessions);
    const samples: SessionIdSample[] = [];
    const held: WebSession[] = [];
    let cookieName: string | undefined;
    let stopped: string | undefined;
    try {
      for (let i = 1; i <= target && !stopped; i++) {
        const r = await login(ctx, credential, `login ${i} of ${target}`);
        if (r.outcome !== 'accepted' || !r.session) {
          stopped = `login ${i} was ${r.outcome === 'error' ? 'not answered' : 'refused'} (${r.why ?? r.answer})`;
          break;
        }
        const s = r.session;
        if (!s.cookieName || s.id === undefined) stopped = 'no session cookie could be identified';
        else if (cookieName !== undefined && s.cookieName !== cookieName) stopped = `the session cookie changed name (${cookieName}, then ${s.cookieName})`;
        else {
          cookieName = s.cookieName;
          samples.push({ id: s.id, at: Date.now() });
        }
        if (canLogOut) {
          // A logout that got no answer may have left the session open: stop before sessions pile up.
          const out = await ctx.client.logout(s);
          if (out?.error) stopped ??= `logging out after login ${i} got no answer (${out.error})`;
        } else held.push(s);
      }
    } finally {
      await logoutAll(ctx, held);
    }
    ctx.measure('idsCollected', samples.length, 'ids');
    if (samples.length < web.sessionIdMinimumSample) {
      return verdict.inconclusive(
        `Only ${samples.length} session id(s) could be collected (${stopped ?? 'the bound was reached'}); at least ${web.sessionIdMinimumSample} are needed for an estimate.`,
      );
    }
    const a = analyseSessionIds(samples, web.timestampWindowSeconds);
    // Masked: a device that keeps ids valid after logout (or has no logout) would otherwise publish live sessions.
    ctx.attach('session-ids.json', { cookie: cookieName, loggedOut: canLogOut, ids: samples.map((s) => ({ id: maskId(s.id), at: new Date(s.at).toISOString() })), analysis: a });
    ctx.measure('entropyUpperBound', Math.round(a.bitsUpperBound), 'bits');
    ctx.measure('idLength', a.minLength === a.maxLength ? a.maxLength : `${a.minLength}-${a.maxLength}`, 'characters');
    const findings: Finding[] = [web.sessionIdEntropy(a.bitsUpperBound)];
    if (a.sequential) findings.push(web.sessionIdPattern('sequential', a.sequential));
    if (a.timestamp) findings.push(web.sessionIdPattern('timestamp', a.timestamp));
    if (a.repeated) findings.push(web.sessionIdPattern('repeated', a.repeated));
    const shape = `${a.count} ids of ${a.minLength === a.maxLength ? a.maxLength : `${a.minLength}-${a.maxLength}`} characters, ${a.varyingPositions} varying positions over a ${a.alphabet.name} alphabet (${a.alphabet.size} symbols)`;
    return judged(
      ctx,
      findings,
      `The session ids carry at most ${Math.round(a.bitsUpperBound)} bits by estimate (${shape}), with no sequence, timestamp or repeat.`,
      (worst) => `The session ids are guessable: ${worst}; ${shape}.`,
    );
  },
});
