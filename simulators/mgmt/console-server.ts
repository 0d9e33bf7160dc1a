// The Telnet-like plaintext console of the weak device: Telnet option negotiation, a login prompt read
// in clear text over TCP, then the same shell as SSH.

import net from 'node:net';
import type { AccountStore } from './accounts.js';
import { startShell, type DeviceStatus } from './shell.js';

const IAC = 255;
const WILL = 251;
const WONT = 252;
const DO = 253;
const DONT = 254;
const SB = 250;
const SE = 240;
const ECHO = 1;
const SUPPRESS_GO_AHEAD = 3;
const MAX_LINE = 256;
const LOGIN_TIMEOUT_MS = 60_000;

export interface ConsoleServiceOptions {
  greeting: string;
  accounts: AccountStore;
  status: () => DeviceStatus;
  version: string;
  log: (msg: string) => void;
}

export interface ConsoleService {
  listener: net.Server;
  closeAll(): void;
}

export function createConsoleService(o: ConsoleServiceOptions): ConsoleService {
  const sockets = new Set<net.Socket>();
  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    serve(socket, o);
  });
  return {
    listener,
    closeAll() {
      for (const s of sockets) s.destroy();
    },
  };
}

function serve(socket: net.Socket, o: ConsoleServiceOptions): void {
  const write = (t: string | Buffer) => {
    if (!socket.destroyed) socket.write(t);
  };
  write(Buffer.from([IAC, WILL, ECHO, IAC, WILL, SUPPRESS_GO_AHEAD]));
  write(`${o.greeting}\r\nlogin: `);

  const telnet = telnetFilter();
  let stage: 'user' | 'password' | 'checking' | 'shell' = 'user';
  let line = '';
  let username = '';
  let shell: { input(chunk: Buffer): void } | undefined;
  const loginTimer = setTimeout(() => socket.destroy(), LOGIN_TIMEOUT_MS);
  socket.on('close', () => clearTimeout(loginTimer));

  let lastWasCr = false;
  socket.on('data', (raw: Buffer) => {
    // One line end, whatever the client sends: CR LF, CR NUL (Telnet) or LF.
    const bytes: number[] = [];
    for (const byte of telnet(raw)) {
      if (lastWasCr && (byte === 0x0a || byte === 0x00)) {
        lastWasCr = false;
        continue;
      }
      lastWasCr = byte === 0x0d;
      bytes.push(byte);
    }
    const data = Buffer.from(bytes);
    if (stage === 'shell') return shell?.input(data);
    for (let i = 0; i < data.length; i++) {
      const byte = data[i] as number;
      if (stage === 'checking') return; // typed ahead during the check: dropped
      if (byte === 0x0d || byte === 0x0a) {
        write('\r\n');
        const entered = line;
        line = '';
        if (stage === 'user') {
          if (entered === '') {
            write('login: ');
            continue;
          }
          username = entered;
          stage = 'password';
          write('Password: ');
        } else {
          stage = 'checking';
          void o.accounts.verify(username, entered, 'console').then((r) => {
            if (socket.destroyed) return;
            if (r.outcome === 'accepted') {
              clearTimeout(loginTimer);
              stage = 'shell';
              write(`Welcome, ${username}\r\n`);
              shell = startShell({ echo: true, write, end: () => socket.end() }, o.status, o.version);
            } else {
              stage = 'user';
              write('Login incorrect\r\nlogin: ');
            }
          });
        }
      } else if ((byte === 0x7f || byte === 0x08) && line.length > 0) {
        line = line.slice(0, -1);
        if (stage === 'user') write('\b \b');
      } else if (byte >= 0x20 && byte < 0x7f && line.length < MAX_LINE) {
        line += String.fromCharCode(byte);
        if (stage === 'user') write(String.fromCharCode(byte)); // we said WILL ECHO; the password is not echoed
      }
    }
  });
}

/** Strips Telnet commands (IAC sequences, subnegotiations) from the byte stream; state spans chunks. */
function telnetFilter(): (chunk: Buffer) => Buffer {
  let state: 'data' | 'iac' | 'option' | 'sb' | 'sb-iac' = 'data';
  return (chunk) => {
    const out: number[] = [];
    for (const byte of chunk) {
      switch (state) {
        case 'data':
          if (byte === IAC) state = 'iac';
          else out.push(byte);
          break;
        case 'iac':
          if (byte === IAC) {
            out.push(IAC);
            state = 'data';
          } else if (byte === WILL || byte === WONT || byte === DO || byte === DONT) state = 'option';
          else if (byte === SB) state = 'sb';
          else state = 'data';
          break;
        case 'option':
          state = 'data';
          break;
        case 'sb':
          if (byte === IAC) state = 'sb-iac';
          break;
        case 'sb-iac':
          state = byte === SE ? 'data' : 'sb';
          break;
      }
    }
    return Buffer.from(out);
  };
}
