// The SSH login oracle: one password login per fresh connection, answered as accepted, refused or error.
// The lockout, authenticator-feedback and default-credential checks compare these answers and timings.
import type { Transcript } from '../../core/transcript.js';
import { withoutSecret, type LoginOracle } from '../../login/oracle.js';
import type { SshService } from '../../profiles/schema.js';
import { authenticate } from './auth-attempt.js';

export interface SshLoginOracleOptions {
  /** Aborts every attempt in flight (rejects it); an attempt's own signal does the same for that attempt. */
  signal?: AbortSignal;
}

export function sshLoginOracle(service: SshService, transcript: Transcript, options: SshLoginOracleOptions = {}): LoginOracle {
  return {
    label: `ssh://${service.host}:${service.port}`,
    async attempt(username, password, attemptOptions = {}) {
      const signals = [options.signal, attemptOptions.signal].filter((s): s is AbortSignal => s !== undefined);
      const raw = await authenticate(service, username, { type: 'password', password }, {
        signals,
        ...(attemptOptions.sourceAddress ? { localAddress: attemptOptions.sourceAddress } : {}),
      });
      // A device's DISCONNECT text could echo what it was sent.
      const r = { ...raw, answer: withoutSecret(raw.answer, password), ...(raw.detail ? { detail: withoutSecret(raw.detail, password) } : {}) };
      // Never the password: the transcript is evidence.
      transcript.record(`password login ${r.outcome}`, {
        username,
        ...(attemptOptions.sourceAddress ? { sourceAddress: attemptOptions.sourceAddress } : {}),
        answer: r.answer,
        elapsedMs: r.elapsedMs,
        ...(r.detail ? { detail: r.detail } : {}),
      });
      return { outcome: r.outcome, answer: r.answer, elapsedMs: r.elapsedMs, ...(r.detail ? { detail: r.detail } : {}) };
    },
  };
}
