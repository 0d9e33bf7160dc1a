// Username/password check and role lookup for the simulator, with the optional lockout in front.
// Returns node-opcua's plain IUserManagerEx shape; refusing here makes node-opcua answer
// ActivateSession with BadUserAccessDenied, whether the password was wrong or the user is locked.

import { timingSafeEqual } from 'node:crypto';
import { makeRoles, type NodeId, type UserManagerOptions } from 'node-opcua';
import { LoginLockout } from './lockout.js';
import type { SimulatedUser } from './presets.js';

export interface SimulatorUserManager {
  options: UserManagerOptions;
  /** The lockout, when the preset has one (exposed for tests and diagnostics). */
  lockout: LoginLockout | null;
}

export function createUserManager(
  users: SimulatedUser[],
  lockout: { maxConsecutiveFailures: number; lockoutDurationMs: number } | null,
): SimulatorUserManager {
  const byName = new Map(users.map((u) => [u.username, u]));
  const loginLockout = lockout ? new LoginLockout(lockout) : null;
  const options: UserManagerOptions = {
    isValidUser(username: string, password: string): boolean {
      const user = byName.get(username);
      // Unknown names are refused without being tracked, so guessing names cannot grow memory.
      if (!user) return false;
      const correct = sameSecret(password, user.password);
      if (!loginLockout) return correct;
      return loginLockout.attempt(username, correct) === 'accepted';
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
