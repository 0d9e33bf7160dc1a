// Per-username login lockout (IEC 62443-4-2 CR 1.11 "unsuccessful login attempts").
// node-opcua has none, so the simulator's user manager consults this before checking a password.
// Kept free of node-opcua so it can be unit-tested with a fake clock.

export interface LockoutPolicy {
  /** Consecutive failures that lock the username. */
  maxConsecutiveFailures: number;
  /** How long the username stays locked, in ms. */
  lockoutDurationMs: number;
}

export type LoginVerdict = 'accepted' | 'rejected' | 'locked';

interface UserState {
  consecutiveFailures: number;
  lockedUntil: number | null;
}

export class LoginLockout {
  private readonly users = new Map<string, UserState>();

  constructor(
    private readonly policy: LockoutPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Records one login attempt and returns the verdict. While a username is locked even the correct
   * password is refused, and such attempts neither extend the lock nor count as failures.
   */
  attempt(username: string, passwordIsCorrect: boolean): LoginVerdict {
    const state = this.stateOf(username);
    if (this.isLocked(username)) return 'locked';
    if (passwordIsCorrect) {
      state.consecutiveFailures = 0; // a successful login resets the counter
      return 'accepted';
    }
    state.consecutiveFailures += 1;
    if (state.consecutiveFailures >= this.policy.maxConsecutiveFailures) {
      state.lockedUntil = this.now() + this.policy.lockoutDurationMs;
      state.consecutiveFailures = 0; // a fresh count starts once the lock expires
    }
    return 'rejected';
  }

  isLocked(username: string): boolean {
    const state = this.users.get(username);
    if (state?.lockedUntil == null) return false;
    if (this.now() >= state.lockedUntil) {
      state.lockedUntil = null;
      return false;
    }
    return true;
  }

  private stateOf(username: string): UserState {
    let state = this.users.get(username);
    if (!state) {
      state = { consecutiveFailures: 0, lockedUntil: null };
      this.users.set(username, state);
    }
    return state;
  }
}
