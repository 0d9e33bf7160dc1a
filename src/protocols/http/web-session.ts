// Logging in to a web UI the way a browser does, and using the session afterwards. Success is judged by
// behaviour: the protected page answers 2xx with the session, whatever status the login POST itself returned.
import type { HttpsService } from '../../profiles/schema.js';
import { normalisedAnswer } from './answer.js';
import { HttpServerError, HttpTransportError, type HttpAnswer, type HttpsClient } from './client.js';
import { CookieJar, type Cookie } from './cookie-jar.js';

/** Cookie names that usually carry a session, for telling the session cookie from others (language, theme). */
const SESSION_COOKIE_NAME = /sess|sid|auth|token|login|jwt|connect|user|id/i;

export interface WebSession {
  username: string;
  jar: CookieJar;
  /** The cookie that carries the session, when one was identified. */
  cookieName?: string;
  /** Its value after login. */
  id?: string;
  /** Its value on the login page, before the credentials were sent (undefined when the page set none). */
  preLoginId?: string;
  /** The Set-Cookie line of the session cookie as the device last sent it (login page or login answer). */
  cookie?: Cookie;
}

export interface WebLoginResult {
  outcome: 'accepted' | 'refused' | 'error';
  /** The login answer, normalised (see answer.ts). */
  answer: string;
  /** From sending the credentials to the answer's headers. */
  elapsedMs: number;
  /** Set when accepted. */
  session?: WebSession;
  /** The login answer itself (undefined when it never came). */
  response?: HttpAnswer;
  /** The protected page's status with the would-be session. */
  protectedStatus?: number;
  /** Why no conclusion was possible. */
  why?: string;
}

export interface AttemptOptions {
  localAddress?: string;
  signal?: AbortSignal;
  /** A cookie to hold before sending the credentials, as an attacker would plant it (session fixation probe). */
  plantCookie?: { name: string; value: string };
}

const isOk = (status: number) => status >= 200 && status < 300;
/** A server error says the device failed, not that it refused the credentials or the session. */
const isServerError = (status: number) => status >= 500;

/** Hidden inputs of the login form (e.g. a CSRF token), which a browser would post back with the credentials. */
export function hiddenFields(html: string, exclude: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  // `|$`: an unclosed tag ends the page, which keeps the scan linear on a hostile page of unclosed '<input'.
  for (const [tag] of html.matchAll(/<input\b[^>]*(?:>|$)/gi)) {
    if (!/\btype\s*=\s*["']?hidden\b/i.test(tag)) continue;
    const name = /\bname\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
    const value = /\bvalue\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
    const n = name?.[1] ?? name?.[2] ?? name?.[3];
    if (n && !exclude.includes(n)) out[n] = value?.[1] ?? value?.[2] ?? value?.[3] ?? '';
  }
  return out;
}

/** Which cookie carries the session: one the login answer set, else one with a session-like name, else the only one. */
export function sessionCookie(jar: CookieJar, setByLogin: readonly Cookie[]): Cookie | undefined {
  const live = jar.list();
  const alive = (c: Cookie) => live.find((l) => l.name === c.name);
  const byLogin = setByLogin.map(alive).filter((c): c is Cookie => c !== undefined);
  return (
    byLogin.find((c) => SESSION_COOKIE_NAME.test(c.name)) ??
    byLogin[0] ??
    live.find((c) => SESSION_COOKIE_NAME.test(c.name)) ??
    (live.length === 1 ? live[0] : undefined)
  );
}

export class WebUi {
  constructor(
    readonly service: HttpsService,
    readonly http: HttpsClient,
  ) {}

  get formPath(): string | undefined {
    return this.service.login.form?.path;
  }

  /** Form login: the form page (for its pre-login cookie and hidden fields), the POST, then the protected page. */
  async formLogin(username: string, password: string, o: AttemptOptions = {}): Promise<WebLoginResult> {
    const form = this.service.login.form;
    if (!form) return { outcome: 'error', answer: '', elapsedMs: 0, why: 'the profile declares no login form' };
    const jar = new CookieJar();
    const at = { ...(o.localAddress ? { localAddress: o.localAddress } : {}), ...(o.signal ? { signal: o.signal } : {}) };
    let page: HttpAnswer;
    try {
      page = await this.http.request({ path: form.path, jar, note: 'login page', ...at });
    } catch (err) {
      return transportFailure(err, 0);
    }
    const plant = o.plantCookie;
    if (plant && !jar.get(plant.name)) jar.put(plant.name, plant.value);
    const preLogin = plant ? jar.get(plant.name) : sessionCookie(jar, page.setCookies);
    const fields = { ...hiddenFields(page.text, [form.usernameField, form.passwordField]), [form.usernameField]: username, [form.passwordField]: password };
    let post: HttpAnswer;
    try {
      post = await this.http.request({ method: 'POST', path: form.path, form: fields, jar, note: 'login', detail: { username }, ...at });
    } catch (err) {
      return transportFailure(err, 0);
    }
    const answer = normalisedAnswer(post.status, post.text, post.headers.location, post.headers['content-type'], [password]);
    let check: HttpAnswer;
    try {
      check = await this.http.request({ path: this.service.protectedPath, jar, note: 'protected page after login', ...at });
    } catch (err) {
      return { ...transportFailure(err, post.elapsedMs), answer, response: post };
    }
    const base = { answer, elapsedMs: post.elapsedMs, response: post, protectedStatus: check.status };
    if (!isOk(check.status)) {
      if (isServerError(check.status) || isServerError(post.status)) {
        return { outcome: 'error', ...base, why: `server error (login answered ${post.status}, the protected page ${check.status})` };
      }
      return { outcome: 'refused', ...base };
    }
    const cookie = sessionCookie(jar, post.setCookies);
    const session: WebSession = {
      username,
      jar,
      ...(cookie ? { cookieName: cookie.name, id: cookie.value, cookie } : {}),
      ...(preLogin && (!cookie || preLogin.name === cookie.name) ? { preLoginId: preLogin.value } : {}),
    };
    return { outcome: 'accepted', ...base, session };
  }

  /** HTTP Basic: one GET of the Basic-protected path with the credentials. */
  async basicLogin(username: string, password: string, o: AttemptOptions = {}): Promise<WebLoginResult> {
    const basic = this.service.login.basic;
    if (!basic) return { outcome: 'error', answer: '', elapsedMs: 0, why: 'the profile declares no Basic-protected path' };
    const token = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
    let res: HttpAnswer;
    try {
      res = await this.http.request({
        path: basic.path,
        headers: { authorization: `Basic ${token}` },
        note: 'Basic login',
        detail: { username },
        ...(o.localAddress ? { localAddress: o.localAddress } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      });
    } catch (err) {
      return transportFailure(err, 0);
    }
    const answer = normalisedAnswer(res.status, res.text, res.headers.location, res.headers['content-type'], [password]);
    const outcome = isOk(res.status) ? 'accepted' : isServerError(res.status) ? 'error' : 'refused';
    return {
      outcome,
      answer,
      elapsedMs: res.elapsedMs,
      response: res,
      protectedStatus: res.status,
      ...(outcome === 'error' ? { why: `server error (${res.status})` } : {}),
    };
  }

  /**
   * Whether a session still opens the protected page: true on 2xx, false on any other answer but a server error.
   * Throws HttpTransportError without an answer, and HttpServerError (one) on 5xx: a failing device has not refused the session.
   */
  async works(session: WebSession, note = 'protected page'): Promise<{ works: boolean; status: number; answer: HttpAnswer }> {
    const answer = await this.http.request({ path: this.service.protectedPath, jar: session.jar, note });
    if (isServerError(answer.status)) throw new HttpServerError(answer.status, this.service.protectedPath);
    return { works: isOk(answer.status), status: answer.status, answer };
  }

  /** A jar that carries only the given session id, as an attacker who stole it would send it. */
  replayJar(session: WebSession, id = session.id): CookieJar {
    const jar = new CookieJar();
    if (session.cookieName && id !== undefined) jar.put(session.cookieName, id, session.cookie?.path ?? '/');
    return jar;
  }

  /** Ends a session by POSTing the logout path; undefined when the profile declares none. Never throws. */
  async logout(session: WebSession): Promise<{ status?: number; error?: string } | undefined> {
    if (!this.service.logoutPath) return undefined;
    try {
      const r = await this.http.request({ method: 'POST', path: this.service.logoutPath, jar: session.jar, form: {}, note: 'logout' });
      return { status: r.status };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }
}

function transportFailure(err: unknown, elapsedMs: number): WebLoginResult {
  if (!(err instanceof HttpTransportError)) throw err;
  return { outcome: 'error', answer: `no answer (${err.code})`, elapsedMs, why: err.message };
}
