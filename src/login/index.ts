// Behavioural login checks shared by every protocol with a login oracle (SSH, HTTPS, OPC UA): lockout after
// failed logins (CR 1.11), authenticator feedback (CR 1.10) and published default credentials (CR 1.5). Each
// check file picks its protocol's oracle and calls one engine; every attempt is paced by the profile's login
// rate, abortable, and recorded without its password.
import type { Profile } from '../profiles/schema.js';

export type { LoginAttemptOptions, LoginAttemptResult, LoginOracle } from './oracle.js';
export { lockoutAccountMissing, type AccountProtocol, type LoginContext } from './attempts.js';
export { probeLockout, type LockoutProbeOptions } from './lockout.js';
export { probeAuthenticatorFeedback, compareTimes, type FeedbackProbeOptions, type TimingComparison } from './feedback.js';
export { sweepDefaultCredentials, pairsPerMethod, type DefaultCredentialSweepOptions } from './default-credentials.js';

/** Login attempts a probe may send beyond its lockout rounds: keying, unlock probes, feedback samples and resets. */
const EXTRA_ATTEMPTS = 80;

/**
 * The lockout and feedback probes bound themselves (safety.maxLoginAttempts rounds, policy.lockoutDurationMaxMs
 * of waiting), so their timeout follows the profile: every attempt paced and timing out, plus the unlock wait.
 */
export function loginProbeTimeoutMs(profile: Profile): number {
  const n = profile.safety.maxLoginAttempts;
  const attempts = (n * (n + 3)) / 2 + EXTRA_ATTEMPTS; // round k sends k wrong passwords and the correct one
  const perAttemptMs = 1000 / profile.safety.loginAttemptsPerSecond + profile.timeouts.connectMs;
  return Math.max(profile.timeouts.checkMs, Math.ceil(attempts * perAttemptMs + 2 * profile.policy.lockoutDurationMaxMs));
}
