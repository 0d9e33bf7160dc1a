import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { bestEndpoint, label, listEndpoints } from './_support.js';

export default defineTestCase({
  id: 'opcua-default-credentials',
  title: 'No OPC UA account accepts a published default password',
  description:
    'Tries every OPC UA default credential pair in the knowledge base (each with its public source) against the ' +
    'strongest endpoint that takes user names, at the profile\'s login rate. Any accepted pair fails the check.',
  requirements: ['CR 1.5'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'opcua',
  safety: 'auth-attempt',
  async run(ctx) {
    const endpoints = await listEndpoints(ctx);
    const endpoint = bestEndpoint(endpoints, 'UserName', ctx.kb);
    if (!endpoint) return verdict.notApplicable('No endpoint accepts user-name logins, so there are no passwords to guess.');

    const candidates = ctx.kb.defaultCredentials('opcua');
    const accepted: string[] = [];
    const tried: Array<{ username: string; source: string; result: string }> = [];
    for (const pair of candidates) {
      await ctx.paceLogin();
      const { attempt, session } = await ctx.client.openSession({
        securityPolicy: endpoint.securityPolicy,
        securityMode: endpoint.securityMode,
        identity: { type: 'username', username: pair.username, password: pair.password },
      });
      await session?.close();
      tried.push({ username: pair.username, source: pair.source, result: attempt.ok ? 'ACCEPTED' : attempt.statusCode ?? 'refused' });
      if (attempt.ok) accepted.push(`${pair.username}/${pair.password}`);
    }
    ctx.attach('attempts.json', { endpoint: label(endpoint), tried });
    ctx.measure('pairsTried', candidates.length);
    ctx.measure('pairsAccepted', accepted.length);
    const refusedWith = new Set(tried.map((t) => t.result).filter((r) => r !== 'ACCEPTED'));
    if (accepted.length > 0) {
      return verdict.fail(
        `${accepted.length} published default credential pair(s) accepted on ${label(endpoint)}: ${accepted.join(', ')} (sources in attempts.json).`,
      );
    }
    if (candidates.length === 0) return verdict.inconclusive('The knowledge base lists no OPC UA default credentials to try.');
    if (!refusedWith.has('BadUserAccessDenied') && !refusedWith.has('BadIdentityTokenRejected')) {
      // Every attempt failing for some other reason (e.g. the channel never opened) proves nothing about passwords.
      return verdict.inconclusive(`No default pair was accepted, but the attempts failed with ${[...refusedWith].join(', ')} rather than an access-denied answer.`);
    }
    return verdict.pass(`All ${candidates.length} published default pairs were refused on ${label(endpoint)}.`);
  },
});
