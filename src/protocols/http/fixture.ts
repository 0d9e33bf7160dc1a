// The https client checks receive: plain requests, form/Basic logins with a cookie jar, and the login oracle,
// all over one set of connections that the runner closes after the check.
import type { Transcript } from '../../core/transcript.js';
import type { HttpsService } from '../../profiles/schema.js';
import { HttpsClient, type HttpAnswer, type HttpRequest } from './client.js';
import { httpsLoginOracle, type HttpsLoginOracle, type WebLoginMethod } from './login-oracle.js';
import { WebUi, type AttemptOptions, type WebLoginResult, type WebSession } from './web-session.js';

export interface FixtureOptions {
  signal: AbortSignal;
  connectTimeoutMs: number;
}

export class HttpsFixture {
  readonly http: HttpsClient;
  readonly ui: WebUi;

  constructor(
    readonly service: HttpsService,
    readonly transcript: Transcript,
    readonly options: FixtureOptions,
  ) {
    this.http = new HttpsClient(
      { origin: service.url.replace(/\/$/, ''), timeoutMs: service.timeoutMs, connectTimeoutMs: options.connectTimeoutMs, signal: options.signal },
      transcript,
    );
    this.ui = new WebUi(service, this.http);
  }

  /** The login methods the profile declares, form first. */
  get loginMethods(): WebLoginMethod[] {
    return [...(this.service.login.form ? (['form'] as const) : []), ...(this.service.login.basic ? (['basic'] as const) : [])];
  }

  /** One request; throws HttpTransportError when the device does not answer. */
  request(r: HttpRequest): Promise<HttpAnswer> {
    return this.http.request(r);
  }

  /** Logs in through the form and keeps the session (unlike the oracle, which logs out at once). */
  login(username: string, password: string, o?: AttemptOptions): Promise<WebLoginResult> {
    return this.ui.formLogin(username, password, o);
  }

  works(session: WebSession, note?: string) {
    return this.ui.works(session, note);
  }

  logout(session: WebSession) {
    return this.ui.logout(session);
  }

  /** The LoginOracle for one login method, sharing this fixture's connections. */
  loginOracle(method: WebLoginMethod): HttpsLoginOracle {
    return httpsLoginOracle(this.service, method, this.transcript, { client: this.http, signal: this.options.signal, connectTimeoutMs: this.options.connectTimeoutMs });
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
