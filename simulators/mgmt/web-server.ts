// The HTTPS web UI (node:https): login form, dashboard, a JSON status API with session or Basic auth,
// logout, and an item API whose error page shows how much the device leaks. TLS, headers, cookies,
// session ids and error verbosity all come from the preset.

import { randomBytes } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type net from 'node:net';
import type { AccountStore } from './accounts.js';
import type { WebCredentials } from './pki.js';
import type { WebBehaviour } from './presets.js';
import type { DeviceStatus } from './shell.js';

export interface WebServiceOptions {
  behaviour: WebBehaviour;
  accounts: AccountStore;
  credentials: WebCredentials;
  status: () => DeviceStatus;
  log: (msg: string) => void;
}

export interface WebService {
  server: https.Server;
  closeAll(): void;
}

interface Session {
  user: string;
  lastUsed: number;
}

const MAX_BODY = 8 * 1024;
const MAX_SESSIONS = 10_000; // a bound for the weak preset, which never expires sessions

export function createWebService(o: WebServiceOptions): WebService {
  const b = o.behaviour;
  const sessions = new Map<string, Session>();
  const sockets = new Set<net.Socket>();
  let counter = 0;

  const newSessionId = (): string =>
    b.sessionIds === 'random'
      ? randomBytes(32).toString('base64url')
      : `${Date.now().toString(16)}${(counter++ & 0xffff).toString(16).padStart(4, '0')}`;

  /** The live session the request's cookie names, touched; an idle one is ended here. */
  const sessionOf = (req: IncomingMessage): { id: string; session: Session } | undefined => {
    const id = cookieSid(req);
    if (id === undefined) return undefined;
    const session = sessions.get(id);
    if (!session) return undefined;
    if (expired(session)) {
      sessions.delete(id);
      return undefined;
    }
    session.lastUsed = Date.now();
    return { id, session };
  };

  const expired = (s: Session) => b.idleTimeoutMs !== null && Date.now() - s.lastUsed > b.idleTimeoutMs;

  const liveSessionsOf = (user: string): number => {
    let n = 0;
    for (const [id, s] of sessions) {
      if (expired(s)) sessions.delete(id);
      else if (s.user === user) n++;
    }
    return n;
  };

  const cookie = (id: string) => `sid=${id}; ${b.cookieAttributes}`;
  const expiredCookie = () => `sid=; ${b.cookieAttributes}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;

  const send = (res: ServerResponse, status: number, body: string, type: string, extra: Record<string, string | string[]> = {}) => {
    if (res.headersSent || res.destroyed) return;
    for (const [k, v] of Object.entries(b.headers)) res.setHeader(k, v);
    for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.writeHead(status);
    res.end(body);
  };
  const html = (res: ServerResponse, status: number, body: string, extra?: Record<string, string | string[]>) =>
    send(res, status, body, 'text/html; charset=utf-8', extra);
  const json = (res: ServerResponse, status: number, value: unknown, extra?: Record<string, string | string[]>) =>
    send(res, status, JSON.stringify(value), 'application/json', extra);
  const redirect = (res: ServerResponse, to: string, extra: Record<string, string | string[]> = {}) =>
    send(res, 303, '', 'text/plain', { Location: to, ...extra });

  const loginPage = (message?: string) =>
    page(
      'SIM-PLC login',
      `${b.loginNotice === null ? '' : `<p class="notice">${escape(b.loginNotice)}</p>`}` +
        `${message === undefined ? '' : `<p class="error">${escape(message)}</p>`}` +
        '<form method="post" action="/login">' +
        '<label>Username <input name="username" autocomplete="username"></label>' +
        '<label>Password <input type="password" name="password" autocomplete="current-password"></label>' +
        '<button type="submit">Log in</button></form>',
    );

  const notFound = (req: IncomingMessage, res: ServerResponse) =>
    b.verboseErrors
      ? html(res, 404, page('404 Not Found', `<p>Cannot ${escape(req.method ?? 'GET')} ${escape(pathOf(req))}</p><hr><address>${escape(b.productBanner)}</address>`))
      : html(res, 404, page('Not found', ''));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://device');
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    switch (route) {
      case 'GET /login':
        return html(res, 200, loginPage(), cookieSid(req) === undefined ? { 'Set-Cookie': cookie(newSessionId()) } : {});
      case 'POST /login': {
        const form = new URLSearchParams(await readBody(req));
        const username = form.get('username') ?? '';
        const r = await o.accounts.verify(username, form.get('password') ?? '', 'web-form');
        if (r.outcome === 'refused') return html(res, 401, loginPage(r.message));
        if (b.maxSessionsPerUser !== null && liveSessionsOf(username) >= b.maxSessionsPerUser) {
          o.log(`web: ${username} has too many sessions; refused`);
          return html(res, 429, page('Too many sessions', '<p>Too many sessions. Log out elsewhere and try again.</p>'));
        }
        const id = (!b.rotateOnLogin ? cookieSid(req) : undefined) ?? newSessionId();
        if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
        sessions.set(id, { user: username, lastUsed: Date.now() });
        return redirect(res, '/', { 'Set-Cookie': cookie(id) });
      }
      case 'GET /': {
        const s = sessionOf(req);
        if (!s) return redirect(res, '/login');
        const st = o.status();
        return html(
          res,
          200,
          page(
            'SIM-PLC dashboard',
            `<p>Logged in as ${escape(s.session.user)}</p><p>Tank level: ${st.level.toFixed(1)} %</p><p>Heartbeat: ${st.heartbeat}</p>` +
              '<form method="post" action="/logout"><button type="submit">Log out</button></form>',
          ),
        );
      }
      case 'GET /api/status':
        return sessionOf(req) ? json(res, 200, statusJson(o.status())) : json(res, 401, { error: 'login required' });
      case 'GET /api/basic/status': {
        const creds = basicCredentials(req);
        const r = creds ? await o.accounts.verify(creds.username, creds.password, 'web-basic') : undefined;
        if (r?.outcome === 'accepted') return json(res, 200, statusJson(o.status()));
        return json(res, 401, { error: 'authentication required' }, { 'WWW-Authenticate': 'Basic realm="SIM-PLC"' });
      }
      case 'POST /logout': {
        await readBody(req);
        const id = cookieSid(req);
        if (id !== undefined && b.logoutDestroysSession) sessions.delete(id);
        return redirect(res, '/login', { 'Set-Cookie': expiredCookie() });
      }
      case 'GET /api/item': {
        const raw = url.searchParams.get('id') ?? '';
        if (/^-?\d{1,9}$/.test(raw)) {
          const n = Number(raw);
          return json(res, 200, { id: n, name: `item ${n}`, value: (n * 7) % 100 });
        }
        if (!b.verboseErrors) return json(res, 400, { error: 'bad request' });
        return html(res, 500, page('Internal Server Error', `<pre>${escape(fakeStackTrace(b.productBanner))}</pre>`));
      }
      default:
        return notFound(req, res);
    }
  };

  const server = https.createServer(
    {
      key: o.credentials.key,
      cert: o.credentials.cert,
      minVersion: b.tls.minVersion,
      maxVersion: b.tls.maxVersion,
      ciphers: b.tls.ciphers,
      honorCipherOrder: true,
      ...(b.tls.groups === undefined ? {} : { ecdhCurve: b.tls.groups }),
      ...(b.tls.dheParams ? { dhparam: 'auto' } : {}),
    },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        o.log(`web: ${String(err)}`);
        if (err instanceof BodyTooLarge) return html(res, 413, page('Too large', ''));
        if (!res.headersSent) html(res, 500, page('Error', ''));
        else res.destroy();
      });
    },
  );
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => {}); // probes with old protocol versions or no shared cipher are expected

  return {
    server,
    closeAll() {
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      sessions.clear();
    },
  };
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new BodyTooLarge('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('request aborted')));
  });
}

function cookieSid(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'sid') {
      const value = rest.join('=');
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

function basicCredentials(req: IncomingMessage): { username: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

function statusJson(s: DeviceStatus) {
  return { level: Math.round(s.level * 10) / 10, heartbeat: s.heartbeat };
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/';
}

/** What an unhandled exception in a careless Express app shows: the stack and the versions. */
function fakeStackTrace(product: string): string {
  return [
    "TypeError: Cannot read properties of undefined (reading 'value')",
    '    at parseItem (/opt/simplc/web/api.js:42:17)',
    '    at Layer.handle [as handle_request] (/opt/simplc/web/node_modules/express/lib/router/layer.js:95:5)',
    '    at next (/opt/simplc/web/node_modules/express/lib/router/route.js:137:13)',
    '    at Route.dispatch (/opt/simplc/web/node_modules/express/lib/router/route.js:112:3)',
    '',
    `${product} (Node.js v20)`,
  ].join('\n');
}

function page(title: string, body: string): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1>${body}</body></html>\n`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
