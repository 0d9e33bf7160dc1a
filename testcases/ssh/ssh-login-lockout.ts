import { defineTestCase } from '../../src/core/testcase.js';
import { loginProbeTimeoutMs, lockoutAccountMissing, probeLockout } from '../../src/login/index.js';

export default defineTestCase({
  id: 'ssh-login-lockout',
  title: 'Repeated failed SSH logins lock the account',
  description:
    "On the profile's lockout account only: round k sends k wrong passwords, then the correct one, until the correct " +
    'one is refused (at most safety.maxLoginAttempts). While locked it tries another account from the same source and ' +
    'the locked account from safety.alternateSourceAddress (keyed by user or by source), then probes the correct ' +
    'password until the account unlocks or policy.lockoutDurationMaxMs has passed. Fails without a lockout or with one keyed by source only.',
  requirements: ['CR 1.11'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'ssh',
  safety: 'auth-attempt',
  locksAccounts: true,
  timeoutMs: loginProbeTimeoutMs,
  preconditions: ({ profile }) => lockoutAccountMissing(profile, 'ssh'),
  run: (ctx) => probeLockout(ctx, { oracle: ctx.client.loginOracle(), protocol: 'ssh' }),
});
