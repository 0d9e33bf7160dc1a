// One HTTPS request at a time over undici, bounded in time and size, recorded in the transcript without
// secrets: bodies and Authorization headers are never recorded, cookies only by name and a fingerprint.
// Certificate trust is not judged here (the TLS audit does that), so the agent accepts any certificate.
import { createHash } from 'node:crypto';
import { Agent } from 'undici';
import type { Transcript } from '../../core/transcript.js';
import { parseSetCookie, type Cookie, type CookieJar } from './cookie-jar.js';

/** Bodies beyond this are cut off: enough for any login page or error page, and a hostile device cannot fill memory. */
const MAX_BODY_BYTES = 512 * 1024;

export interface HttpClientSettings {
  /** e.g. https://127.0.0.1:8443 (no path). */
  origin: string;
  /** One request, from sending to the whole answer. */
  timeoutMs: number;
  connectTimeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'HEAD';
  path: string;
  headers?: Record<string, string>;
  /** A form body, sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** Cookies to send, and where the answer's cookies go. */
  jar?: CookieJar;
  /** Send from this local address (a second address of this machine). */
  localAddress?: string;
  /** What the transcript calls this request when the path alone does not say it, e.g. "login (form)". */
  note?: string;
  /** Extra transcript fields (never a secret). */
  detail?: Record<string, unknown>;
  /** Aborts this request only (the client's own signal aborts every request). */
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  /** Header names in lower case; repeated headers joined by ", " except set-cookie. */
  headers: Record<string, string>;
  setCookieLines: string[];
  /** The cookies this answer set (parsed). */
  setCookies: Cookie[];
  /** The body as text (UTF-8), cut at MAX_BODY_BYTES. */
  text: string;
  truncated: boolean;
  /** From sending the request to the response headers. */
  elapsedMs: number;
}

/** The request got no answer: timeout, refused connection, TLS failure, reset. */
export class HttpTransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'HttpTransportError';
  }
}

/** The device answered with a server error (5xx) where the caller needs a yes or no, e.g. "does this session work". */
export class HttpServerError extends HttpTransportError {
  constructor(readonly status: number, what: string) {
    super(`${what} answered ${status}, a server error, which is neither a yes nor a no`, 'server-error');
    this.name = 'HttpServerError';
  }
}

/** A short, stable fingerprint of a cookie value, so transcripts can show "same id" / "new id" without the id. */
export function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 10);
}

export class HttpsClient {
  private readonly agents = new Map<string, Agent>();
  private closed = false;

  constructor(
    readonly settings: HttpClientSettings,
    private readonly transcript: Transcript,
  ) {}

  private agent(localAddress?: string): Agent {
    const key = localAddress ?? '';
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({
        connect: {
          rejectUnauthorized: false,
          timeout: this.settings.connectTimeoutMs,
          ...(localAddress ? { localAddress } : {}),
        },
        headersTimeout: this.settings.timeoutMs,
        bodyTimeout: this.settings.timeoutMs,
        // Short keep-alive: the idle-timeout probe must not depend on a connection the device already dropped.
        keepAliveTimeout: 1000,
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  async request(r: HttpRequest): Promise<HttpAnswer> {
    if (this.closed) throw new HttpTransportError('the HTTPS client is closed', 'closed');
    const method = r.method ?? (r.form ? 'POST' : 'GET');
    const headers: Record<string, string> = { 'user-agent': 'otconform', accept: 'text/html,application/json;q=0.9,*/*;q=0.8', ...r.headers };
    const cookie = r.jar?.header(r.path);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (r.form) {
      body = new URLSearchParams(r.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const signals = [AbortSignal.timeout(this.settings.timeoutMs)];
    if (this.settings.signal) signals.push(this.settings.signal);
    if (r.signal) signals.push(r.signal);
    const signal = AbortSignal.any(signals);
    const event = `${method} ${r.path}${r.note ? ` (${r.note})` : ''}`;
    const started = performance.now();
    try {
      const res = await this.agent(r.localAddress).request({
        origin: this.settings.origin,
        path: r.path,
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal,
      });
      const elapsedMs = Math.round(performance.now() - started);
      const { text, truncated } = await readBounded(res.body);
      const flat = flattenHeaders(res.headers);
      const setCookieLines = asList(res.headers['set-cookie']);
      const setCookies = r.jar ? r.jar.store(setCookieLines) : [];
      this.transcript.record(event, {
        status: res.statusCode,
        ms: elapsedMs,
        ...(flat.location ? { location: describeLocation(flat.location) } : {}),
        ...(setCookieLines.length > 0 ? { setCookies: setCookieLines.map(describeSetCookie) } : {}),
        ...(cookie ? { sentCookies: describeCookieHeader(cookie) } : {}),
        ...(r.localAddress ? { localAddress: r.localAddress } : {}),
        ...r.detail,
      });
      return { status: res.statusCode, headers: flat, setCookieLines, setCookies: setCookies.length > 0 ? setCookies : parseAll(setCookieLines), text, truncated, elapsedMs };
    } catch (err) {
      const e = describeError(err, this.settings, signal, this.settings.signal, r.signal);
      this.transcript.record(`${event} failed`, { error: e.message, ms: Math.round(performance.now() - started), ...r.detail });
      throw e;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const agents = [...this.agents.values()];
    this.agents.clear();
    // destroy, not close: a hostile device that never finishes an answer must not hold the run open.
    await Promise.allSettled(agents.map((a) => a.destroy()));
  }
}


function parseAll(lines: string[]): Cookie[] {
  return lines.map((l) => parseSetCookie(l)).filter((c): c is Cookie => c !== undefined);
}

async function readBounded(body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown }): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    if (size + buf.length > MAX_BODY_BYTES) {
      chunks.push(buf.subarray(0, MAX_BODY_BYTES - size));
      body.destroy();
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(buf);
    size += buf.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || k.toLowerCase() === 'set-cookie') continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** "sid=<fingerprint>; Path=/; HttpOnly": the attributes as sent, the value as a fingerprint. */
function describeSetCookie(line: string): string {
  const [pair = '', ...rest] = line.split(';');
  const eq = pair.indexOf('=');
  const name = eq < 0 ? pair.trim() : pair.slice(0, eq).trim();
  const value = eq < 0 ? '' : pair.slice(eq + 1).trim();
  return [`${name}=${value ? `#${fingerprint(value)}` : ''}`, ...rest.map((a) => a.trim())].join('; ');
}

/** A redirect target with every parameter value fingerprinted: URL rewriting puts session ids there (";jsessionid=…", "?sid=…"). */
function describeLocation(location: string): string {
  return location.replace(/([;?&][^=;?&#]*=)([^;?&#]*)/g, (_, key: string, value: string) => `${key}#${fingerprint(value)}`);
}

function describeCookieHeader(header: string): string {
  return header
    .split(';')
    .map((p) => {
      const [name = '', ...v] = p.trim().split('=');
      return `${name}=#${fingerprint(v.join('='))}`;
    })
    .join('; ');
}

function describeError(err: unknown, s: HttpClientSettings, combined: AbortSignal, ...outer: (AbortSignal | undefined)[]): HttpTransportError {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (outer.some((o) => o?.aborted)) return new HttpTransportError('the request was aborted', 'aborted');
  if (combined.aborted || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') {
    return new HttpTransportError(`no complete answer within ${s.timeoutMs} ms`, 'timeout');
  }
  if (e.code === 'UND_ERR_CONNECT_TIMEOUT') return new HttpTransportError(`could not connect within ${s.connectTimeoutMs} ms`, 'timeout');
  const code = e.code ?? e.cause?.code ?? 'error';
  const message = e.cause?.message ?? e.message ?? String(err);
  return new HttpTransportError(`${code}: ${message}`, code);
}
