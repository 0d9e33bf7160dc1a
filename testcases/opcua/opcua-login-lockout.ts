import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { loginProbeTimeoutMs, lockoutAccountMissing, probeLockout } from '../../src/login/index.js';
import { opcuaLoginOracle } from '../../src/protocols/opcua/login-oracle.js';
import { bestEndpoint, listEndpoints } from './_support.js';

export default defineTestCase({
  id: 'opcua-login-lockout',
  title: 'Repeated failed OPC UA logins lock the account',
  description:
    "On the profile's lockout account only, on the strongest endpoint that takes user names: round k sends k wrong " +
    'passwords, then the correct one, until the correct one is refused (at most safety.maxLoginAttempts); a device that ' +
    'does not reset its count on success makes the count a lower bound. While locked it tries another account, then ' +
    'probes until the account unlocks or policy.lockoutDurationMaxMs has passed. Fails without a lockout.',
  requirements: ['CR 1.11'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'opcua',
  safety: 'auth-attempt',
  locksAccounts: true,
  timeoutMs: loginProbeTimeoutMs,
  preconditions: ({ profile }) => lockoutAccountMissing(profile, 'opcua'),
  async run(ctx) {
    const endpoint = bestEndpoint(await listEndpoints(ctx), 'UserName', ctx.kb);
    if (!endpoint) return verdict.notApplicable('No endpoint accepts user-name logins, so there is nothing to lock.');
    return probeLockout(ctx, { oracle: opcuaLoginOracle(ctx.client, endpoint), protocol: 'opcua' });
  },
});
