// One login oracle per protocol: the behavioural login checks (lockout, authenticator feedback, default
// credentials) measure every protocol the same way through this interface.

export interface LoginAttemptOptions {
  /** Local address to send from, to tell a lockout keyed by source from one keyed by user. */
  sourceAddress?: string;
  signal?: AbortSignal;
}

export interface LoginAttemptResult {
  /** accepted: the device let the user in; refused: it said no; error: no conclusion (timeout, transport fault). */
  outcome: 'accepted' | 'refused' | 'error';
  /**
   * What the device answered, normalised for comparison: status codes and message text with volatile parts
   * (timestamps, nonces, session ids) removed. Two attempts the device answered alike have equal answers.
   */
  answer: string;
  /** From sending the credentials to the answer. */
  elapsedMs: number;
  /** Extra words for the transcript (never the password). */
  detail?: string;
}

export interface LoginOracle {
  /** e.g. "ssh://127.0.0.1:2222" or "https://host:8443/login (form)". */
  readonly label: string;
  /**
   * false when this client cannot send from another local address (options.sourceAddress would be ignored or
   * fail); absent or true means it can. The lockout probe reports the source question as not measured then.
   */
  readonly sourceAddressSupported?: boolean;
  /** Resolves with the device's answer; rejects only when aborted. Never records the password. */
  attempt(username: string, password: string, options?: LoginAttemptOptions): Promise<LoginAttemptResult>;
  /** Ends whatever the oracle keeps open between attempts (e.g. a reused channel); the login checks call it when done. */
  close?(): Promise<void>;
}

/** Shorter passwords are not redacted: replacing every "1" or "ab" would garble answers and hide nothing. */
const MIN_REDACTED_LENGTH = 3;

/** The text with every occurrence of the password replaced, for devices that echo what they were sent. */
export function withoutSecret(text: string, password: string): string {
  return password.length >= MIN_REDACTED_LENGTH ? text.split(password).join('<password>') : text;
}
