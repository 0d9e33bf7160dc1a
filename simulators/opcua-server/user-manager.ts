// Username/password check and role lookup for the simulator, with the optional lockout in front.
// Returns node-opcua's plain IUserManagerEx shape; refusing here makes node-opcua answer
// ActivateSession with BadUserAccessDenied, whether the password was wrong, the user unknown or locked.
//
// A password check costs time, as a real password hash does. A legacy user store looks the name up first
// and hashes only for known users, on the device's one CPU, so an unknown name is refused at once and timing
// betrays which names exist (CR 1.10); a careful one spends the same time on every attempt, off the CPU that
// runs the process.

import { timingSafeEqual } from 'node:crypto';
import { makeRoles, type NodeId, type UserManagerOptions } from 'node-opcua';
import { LoginLockout } from './lockout.js';
import type { SimulatedUser } from './presets.js';
import { busyWait } from './slow-cpu.js';

export interface PasswordCheckCost {
  /** How long one password check takes, in ms (the simulated hash). */
  costMs: number;
  /** true: unknown users cost the same (a dummy hash); false: they are refused at once. */
  sameForUnknownUsers: boolean;
  /**
   * true: the hash runs on the CPU that runs everything else (it blocks the process, like the preset's
   * channel and session costs, so no other work can hide it); false: it runs aside (a timer).
   */
  blocksCpu: boolean;
}

/**
 * Until the presets carry their own `passwordCheck`, a preset with a lockout is the careful device (constant
 * cost) and one without is the legacy device; both spend ~40 ms, like the management services' accounts.
 */
export interface SimulatorUserManager {
  options: UserManagerOptions;
  /** The lockout, when the preset has one (exposed for tests and diagnostics). */
  lockout: LoginLockout | null;
}

export function createUserManager(
  users: SimulatedUser[],
  lockout: { maxConsecutiveFailures: number; lockoutDurationMs: number } | null,
  passwordCheck: PasswordCheckCost,
): SimulatorUserManager {
  const byName = new Map(users.map((u) => [u.username, u]));
  const loginLockout = lockout ? new LoginLockout(lockout) : null;

  const decide = (username: string, password: string): boolean => {
    const user = byName.get(username);
    // Unknown names are refused without being tracked, so guessing names cannot grow memory.
    if (!user) return false;
    const correct = sameSecret(password, user.password);
    if (!loginLockout) return correct;
    return loginLockout.attempt(username, correct) === 'accepted';
  };

  const options: UserManagerOptions = {
    isValidUserAsync(username, password, callback) {
      const costMs = byName.has(username) || passwordCheck.sameForUnknownUsers ? passwordCheck.costMs : 0;
      // Decided after the cost, so attempts that overlap are judged in the order their checks finish.
      const answer = () => callback(null, decide(username, password));
      if (costMs <= 0) answer();
      else if (passwordCheck.blocksCpu) {
        busyWait(costMs);
        answer();
      } else setTimeout(answer, costMs);
    },
    getUserRoles(username: string): NodeId[] {
      const roles = byName.get(username)?.roles ?? [];
      return roles.length === 0 ? [] : makeRoles(roles.join(';'));
    },
  };
  return { options, lockout: loginLockout };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
