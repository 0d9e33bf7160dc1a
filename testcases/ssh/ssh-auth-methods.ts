import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { CREDENTIAL_PROTOCOLS, type Finding } from '../../src/knowledge/index.js';
import { nameFailing } from './_support.js';

export default defineTestCase({
  id: 'ssh-auth-methods',
  title: 'Every SSH login needs an authenticator; the offered methods are sound',
  description:
    'Sends one `none` authentication request per username (a fresh connection each): the profile\'s SSH accounts ' +
    '(the lockout account excepted) and every factory-default username the knowledge base knows for any ' +
    'protocol, since devices share accounts across services. Fails when `none` logs anyone in. The methods the ' +
    'server lists as able to continue are graded. Each request is a login attempt without a password.',
  requirements: ['CR 1.1'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'ssh',
  safety: 'auth-attempt',
  async run(ctx) {
    const lockout = ctx.profile.safety.lockoutAccount;
    const profileUsers = Object.entries(ctx.profile.credentials)
      .filter(([name, c]) => name !== lockout && (!c.protocols || c.protocols.includes('ssh')))
      .map(([, c]) => c.username);
    const defaultUsers = CREDENTIAL_PROTOCOLS.flatMap((p) => ctx.kb.defaultCredentials(p).map((c) => c.username));
    // SSH user names are case-sensitive, so "Admin" and "admin" are both tried.
    const usernames = [...new Set([...profileUsers, ...defaultUsers])];

    const attempts: { username: string; outcome: string; answer: string }[] = [];
    const methods = new Set<string>();
    const admitted: string[] = [];
    for (const username of usernames) {
      await ctx.paceLogin();
      const r = await ctx.step(`none auth as ${username}`, () => ctx.client.authNone(username));
      attempts.push({ username, outcome: r.outcome, answer: r.answer });
      for (const m of r.methods ?? []) methods.add(m);
      if (r.outcome === 'accepted') admitted.push(username);
    }
    ctx.attach('none-attempts.json', attempts);
    ctx.attach('methods.json', [...methods]);
    ctx.measure('usernames tried', usernames.length, 'usernames');

    const findings: Finding[] = [...[...methods].map((m) => ctx.kb.ssh.authMethod(m)), ...admitted.map((u) => ctx.kb.ssh.noneAccepted(u))];
    if (admitted.length > 0) {
      return verdict.fail(`The none method logs in ${admitted.join(', ')} without any authenticator.`, findings);
    }
    const unanswered = attempts.filter((a) => a.outcome === 'error');
    if (unanswered.length === attempts.length) {
      return verdict.inconclusive(`No none request was answered (${attempts[0]?.answer ?? 'no username to try'}), so the authentication methods are unknown.`);
    }
    const judged = ctx.kb.judge(findings, ctx.targetSecurityLevel);
    if (judged.verdict === 'fail') {
      return verdict.fail(`No account got in with none, but the server offers ${nameFailing(judged.failing)}.`, findings);
    }
    if (unanswered.length > 0) {
      const who = unanswered.slice(0, 3).map((a) => `${a.username} (${a.answer})`).join(', ');
      return verdict.inconclusive(`${unanswered.length} of ${attempts.length} none requests got no answer, e.g. ${who}, so whether none admits those users is unknown.`, findings);
    }
    if (judged.verdict === 'error') return verdict.inconclusive(judged.reason, findings);
    return verdict.pass(`The none method let none of ${usernames.length} usernames in; the server offers ${[...methods].join(', ')}.`, findings);
  },
});
