// One account store per simulator instance, shared by SSH, the web UI and the plaintext console, so a
// lockout earned over SSH also holds on the web (the counter is keyed by user, whatever the source).

import { timingSafeEqual } from 'node:crypto';
import type { LoginPolicy, MgmtAccount } from './presets.js';

export type LoginSource = 'ssh' | 'web-form' | 'web-basic' | 'console';

export type LoginResult =
  | { outcome: 'accepted'; username: string }
  | { outcome: 'refused'; reason: 'unknown-user' | 'wrong-password' | 'locked'; message: string };

interface LockState {
  failures: number;
  lockedUntil: number;
}

export interface AccountStore {
  /** Checks a password, applying the simulated hash cost and the lockout policy. */
  verify(username: string, password: string, source: LoginSource): Promise<LoginResult>;
  /** True when the user may log in with SSH auth method `none`. */
  allowsNoneAuth(username: string): boolean;
  /** Milliseconds the user stays locked (0 when not locked); for logs and tests. */
  lockRemainingMs(username: string): number;
}

export function createAccountStore(accounts: readonly MgmtAccount[], policy: LoginPolicy, log: (msg: string) => void = () => {}): AccountStore {
  const byName = new Map(accounts.map((a) => [a.username, a]));
  const locks = new Map<string, LockState>();

  const stateOf = (username: string): LockState => {
    let s = locks.get(username);
    if (!s) locks.set(username, (s = { failures: 0, lockedUntil: 0 }));
    return s;
  };

  const refusal = (reason: 'unknown-user' | 'wrong-password' | 'locked'): LoginResult => ({
    outcome: 'refused',
    reason,
    message: policy.uniformRefusal ? policy.refusalText : reason === 'unknown-user' ? 'Unknown user' : reason === 'locked' ? 'Account locked' : 'Wrong password',
  });

  return {
    async verify(username, password, source) {
      const account = byName.get(username);
      // The simulated hash: a known user always pays; an unknown one only under a uniform-cost policy.
      if (account || policy.uniformCost) await delay(policy.hashCostMs);
      if (!account) {
        log(`login refused (${source}): unknown user ${username}`);
        return refusal('unknown-user');
      }
      const state = stateOf(username);
      const now = Date.now();
      if (state.lockedUntil > now) {
        // Refused even when correct, and neither counted nor extending the lock.
        log(`login refused (${source}): ${username} is locked`);
        return refusal('locked');
      }
      if (account.password !== undefined && samePassword(account.password, password)) {
        state.failures = 0;
        log(`login accepted (${source}): ${username}`);
        return { outcome: 'accepted', username };
      }
      state.failures += 1;
      if (policy.lockoutThreshold !== null && state.failures >= policy.lockoutThreshold) {
        state.lockedUntil = now + policy.lockoutMs;
        state.failures = 0;
        log(`user ${username} locked for ${policy.lockoutMs} ms`);
      }
      log(`login refused (${source}): wrong password for ${username}`);
      return refusal('wrong-password');
    },
    allowsNoneAuth(username) {
      return byName.get(username)?.allowNoneAuth === true;
    },
    lockRemainingMs(username) {
      return Math.max(0, (locks.get(username)?.lockedUntil ?? 0) - Date.now());
    },
  };
}

function samePassword(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
