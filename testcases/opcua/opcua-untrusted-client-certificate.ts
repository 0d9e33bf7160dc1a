import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { createClientIdentity } from '../../src/protocols/opcua/index.js';
import { label, listEndpoints, onePerPolicy } from './_support.js';

export default defineTestCase({
  id: 'opcua-untrusted-client-certificate',
  title: 'An unknown self-signed client certificate is refused',
  description:
    'Creates a brand-new self-signed application certificate that the server cannot have seen, and opens a ' +
    'secure channel with it on every signed security policy the client can negotiate. The server must refuse ' +
    'it: accepting any certificate means any client application can connect.',
  requirements: ['CR 1.2', 'CR 1.8', 'CR 1.9'],
  minSecurityLevel: 2,
  componentTypes: 'all',
  protocol: 'opcua',
  safety: 'read',
  async run(ctx) {
    const endpoints = await listEndpoints(ctx);
    const signed = endpoints.filter((e) => e.securityMode !== 'None');
    if (signed.length === 0) {
      return verdict.fail('No endpoint uses a signed security policy, so the server authenticates no client application at all.');
    }
    const pkiDir = mkdtempSync(join(tmpdir(), 'otconform-stranger-'));
    try {
      const stranger = await ctx.step('create a fresh self-signed client certificate', () =>
        createClientIdentity(pkiDir, { applicationUri: `urn:otconform:stranger:${Date.now()}`, subject: '/CN=otconform stranger' }),
      );
      const tried: Record<string, string> = {};
      // Trust is decided per certificate, not per mode: one attempt per policy is enough.
      for (const e of onePerPolicy(signed)) {
        const attempt = await ctx.step(`secure channel ${label(e)} with the stranger`, () =>
          ctx.client.tryChannel({
            securityPolicy: e.securityPolicy,
            securityMode: e.securityMode as 'Sign' | 'SignAndEncrypt',
            clientIdentity: stranger,
          }),
        );
        tried[label(e)] = attempt.ok ? 'ACCEPTED' : attempt.statusCode ?? 'refused';
      }
      ctx.attach('attempts.json', tried);
      const accepted = Object.entries(tried).filter(([, r]) => r === 'ACCEPTED').map(([k]) => k);
      const decided = Object.entries(tried).filter(([, r]) => r !== 'ClientCannotNegotiate');
      if (accepted.length > 0) {
        return verdict.fail(`A never-seen self-signed client certificate was accepted on ${accepted.join(', ')}.`);
      }
      if (decided.length === 0) {
        return verdict.inconclusive('This client could not negotiate any of the advertised signed policies, so trust was not tested.');
      }
      return verdict.pass(
        `The unknown self-signed certificate was refused on every negotiable policy (${decided.map(([k, r]) => `${k}: ${r}`).join(', ')}).`,
      );
    } finally {
      rmSync(pkiDir, { recursive: true, force: true });
    }
  },
});
