// A small cookie jar for one origin: enough to carry a web UI's session cookie and to show its attributes.
// Domain scoping is not needed (one host per jar); Path, expiry and deletion are honoured.

export interface Cookie {
  name: string;
  value: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  /** As the device wrote it ('Strict', 'Lax', 'None'), or undefined when absent. */
  sameSite?: string;
  /** Epoch ms; undefined for a session cookie. */
  expires?: number;
  domain?: string;
  /** The Set-Cookie line exactly as received, for evidence (its value is masked by callers). */
  raw: string;
}

/** Parses one Set-Cookie header line; undefined for a line without a name=value pair. */
export function parseSetCookie(line: string, now = Date.now()): Cookie | undefined {
  const [pair = '', ...attributes] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const cookie: Cookie = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'),
    path: '/',
    secure: false,
    httpOnly: false,
    raw: line,
  };
  if (!cookie.name) return undefined;
  let maxAge: number | undefined;
  for (const attribute of attributes) {
    const i = attribute.indexOf('=');
    const key = (i < 0 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? '' : attribute.slice(i + 1).trim();
    if (key === 'path' && val.startsWith('/')) cookie.path = val;
    else if (key === 'secure') cookie.secure = true;
    else if (key === 'httponly') cookie.httpOnly = true;
    else if (key === 'samesite') cookie.sameSite = val;
    else if (key === 'domain') cookie.domain = val;
    else if (key === 'max-age' && /^-?\d+$/.test(val)) maxAge = Number(val);
    else if (key === 'expires') {
      const t = Date.parse(val);
      if (!Number.isNaN(t)) cookie.expires = t;
    }
  }
  // Max-Age wins over Expires (RFC 6265, 5.3 step 3).
  if (maxAge !== undefined) cookie.expires = now + maxAge * 1000;
  return cookie;
}

const pathMatches = (requestPath: string, cookiePath: string) => {
  const p = requestPath.split('?')[0] ?? '/';
  return p === cookiePath || (p.startsWith(cookiePath) && (cookiePath.endsWith('/') || p[cookiePath.length] === '/'));
};

export class CookieJar {
  private readonly cookies = new Map<string, Cookie>();

  /** Stores what the device set; an expired cookie (logout) is removed. Returns the cookies this answer set. */
  store(setCookieLines: readonly string[], now = Date.now()): Cookie[] {
    const set: Cookie[] = [];
    for (const line of setCookieLines) {
      const c = parseSetCookie(line, now);
      if (!c) continue;
      set.push(c);
      const key = `${c.name}\0${c.path}`;
      if (c.expires !== undefined && c.expires <= now) this.cookies.delete(key);
      else this.cookies.set(key, c);
    }
    return set;
  }

  /** The Cookie request header for a path, or undefined when nothing applies. */
  header(requestPath: string, now = Date.now()): string | undefined {
    const pairs = this.list(now)
      .filter((c) => pathMatches(requestPath, c.path))
      // Longer paths first (RFC 6265, 5.4 step 2).
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`);
    return pairs.length > 0 ? pairs.join('; ') : undefined;
  }

  get(name: string): Cookie | undefined {
    return this.list().find((c) => c.name === name);
  }

  /** Sets a cookie by hand, e.g. to replay an old session id after logout. */
  put(name: string, value: string, path = '/'): void {
    this.cookies.set(`${name}\0${path}`, { name, value, path, secure: false, httpOnly: false, raw: `${name}=${value}` });
  }

  list(now = Date.now()): Cookie[] {
    for (const [key, c] of this.cookies) if (c.expires !== undefined && c.expires <= now) this.cookies.delete(key);
    return [...this.cookies.values()];
  }

  clone(): CookieJar {
    const copy = new CookieJar();
    for (const [key, c] of this.cookies) copy.cookies.set(key, { ...c });
    return copy;
  }
}
