// The web UI's LoginOracle: one login attempt per call, by form or HTTP Basic, judged by behaviour.
// Every attempt starts with an empty cookie jar, so attempts do not influence each other; an accepted form
// login is logged out again at once (when the profile names a logout path) so probes never pile up sessions.
import type { Transcript } from '../../core/transcript.js';
import type { LoginAttemptOptions, LoginAttemptResult, LoginOracle } from '../../login/oracle.js';
import type { HttpsService } from '../../profiles/schema.js';
import { HttpsClient } from './client.js';
import { WebUi } from './web-session.js';

export type WebLoginMethod = 'form' | 'basic';

export interface HttpsOracleOptions {
  signal?: AbortSignal;
  /** Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Reuse a client (and its connections); the oracle then does not close it. */
  client?: HttpsClient;
}

export interface HttpsLoginOracle extends LoginOracle {
  readonly method: WebLoginMethod;
  /** Closes the connections the oracle opened itself (a no-op when it was given a client). */
  close(): Promise<void>;
}

export function httpsLoginOracle(service: HttpsService, method: WebLoginMethod, transcript: Transcript, options: HttpsOracleOptions = {}): HttpsLoginOracle {
  const path = method === 'form' ? service.login.form?.path : service.login.basic?.path;
  if (!path) throw new Error(`the profile declares no ${method === 'form' ? 'login form' : 'HTTP Basic path'} for ${service.url}`);
  const own = options.client === undefined;
  const http =
    options.client ??
    new HttpsClient(
      {
        origin: service.url.replace(/\/$/, ''),
        timeoutMs: service.timeoutMs,
        connectTimeoutMs: options.connectTimeoutMs ?? 5000,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      transcript,
    );
  const ui = new WebUi(service, http);
  const label = `${service.url.replace(/\/$/, '')}${path} (${method})`;

  const aborted = (o: LoginAttemptOptions) => [o.signal, options.signal].find((s) => s?.aborted);

  return {
    label,
    method,
    // undici binds each connection to connect.localAddress, so another source address is honoured.
    sourceAddressSupported: true,
    async attempt(username: string, password: string, o: LoginAttemptOptions = {}): Promise<LoginAttemptResult> {
      const at = { ...(o.sourceAddress ? { localAddress: o.sourceAddress } : {}), ...(o.signal ? { signal: o.signal } : {}) };
      aborted(o)?.throwIfAborted();
      const r = method === 'form' ? await ui.formLogin(username, password, at) : await ui.basicLogin(username, password, at);
      // The interface rejects only on abort: an aborted attempt is no answer from the device.
      aborted(o)?.throwIfAborted();
      let detail = r.why ?? (r.protectedStatus !== undefined ? `protected page answered ${r.protectedStatus}` : undefined);
      if (r.session) {
        const out = await ui.logout(r.session);
        if (out) detail = `${detail ?? 'accepted'}; logged out (${out.status ?? out.error})`;
      }
      transcript.record(`login attempt ${r.outcome}`, {
        method,
        username,
        answer: r.answer,
        elapsedMs: r.elapsedMs,
        ...(o.sourceAddress ? { sourceAddress: o.sourceAddress } : {}),
      });
      return { outcome: r.outcome, answer: r.answer, elapsedMs: r.elapsedMs, ...(detail ? { detail } : {}) };
    },
    async close() {
      if (own) await http.close();
    },
  };
}
