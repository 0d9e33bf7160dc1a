// The SSH maintenance service (ssh2 Server). We own the listening socket and inject each connection into
// ssh2, so stop() can destroy every socket at once. Auth goes through the shared account store.

import net from 'node:net';
import ssh2, { type AuthContext, type Connection, type ParsedKey } from 'ssh2';
import type { AccountStore } from './accounts.js';
import type { HostKeyFile } from './pki.js';
import type { SshBehaviour } from './presets.js';
import { runCommand, startShell, type DeviceStatus } from './shell.js';

const { Server, utils } = ssh2;

export interface SshServiceOptions {
  behaviour: SshBehaviour;
  accounts: AccountStore;
  hostKeys: readonly HostKeyFile[];
  status: () => DeviceStatus;
  version: string;
  log: (msg: string) => void;
}

export interface SshService {
  /** Accepts TCP connections; listen() it. */
  listener: net.Server;
  /** Destroys every open connection. */
  closeAll(): void;
}

export function createSshService(o: SshServiceOptions): SshService {
  const b = o.behaviour;
  const sockets = new Set<net.Socket>();
  const openPerUser = new Map<string, number>();

  const ssh = new Server({
    hostKeys: hostKeyConfig(o.hostKeys, b.hostKeyAlgorithms),
    ident: b.ident.replace(/^SSH-2\.0-/, ''),
    ...(b.banner === null ? {} : { banner: b.banner }),
    algorithms: {
      kex: [...b.kex] as ssh2.KexAlgorithm[],
      cipher: [...b.ciphers] as ssh2.CipherAlgorithm[],
      hmac: [...b.macs] as ssh2.MacAlgorithm[],
      ...(b.hostKeyAlgorithms.includes('ssh-rsa') ? { serverHostKey: [...b.hostKeyAlgorithms] as ssh2.ServerHostKeyAlgorithm[] } : {}),
    },
  });

  ssh.on('connection', (client: Connection) => {
    client.on('error', (err: Error) => o.log(`ssh connection error: ${err.message}`));
    let user: string | undefined;
    let idle: NodeJS.Timeout | undefined;
    const touch = () => idle?.refresh();

    client.on('authentication', (ctx: AuthContext) => {
      void authenticate(ctx).catch((err: unknown) => o.log(`ssh auth error: ${String(err)}`));
    });

    const authenticate = async (ctx: AuthContext): Promise<void> => {
      const offered = [...b.authMethods];
      const admit = (username: string) => {
        const open = openPerUser.get(username) ?? 0;
        if (b.maxConnectionsPerUser !== null && open >= b.maxConnectionsPerUser) {
          o.log(`ssh: ${username} already has ${open} connections; refused`);
          return ctx.reject(offered); // not a failed login: the account store is not told
        }
        user = username;
        openPerUser.set(username, open + 1);
        ctx.accept();
      };
      switch (ctx.method) {
        case 'none':
          return o.accounts.allowsNoneAuth(ctx.username) ? admit(ctx.username) : ctx.reject(offered);
        case 'password': {
          if (!offered.includes('password')) return ctx.reject(offered);
          const r = await o.accounts.verify(ctx.username, ctx.password, 'ssh');
          return r.outcome === 'accepted' ? admit(ctx.username) : ctx.reject(offered);
        }
        case 'keyboard-interactive': {
          if (!offered.includes('keyboard-interactive')) return ctx.reject(offered);
          ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
            void o.accounts
              .verify(ctx.username, answers[0] ?? '', 'ssh')
              .then((r) => (r.outcome === 'accepted' ? admit(ctx.username) : ctx.reject(offered)))
              .catch(() => ctx.reject(offered));
          });
          return;
        }
        default:
          // publickey is offered but no user has an authorized key; hostbased is not offered.
          return ctx.reject(offered);
      }
    };

    client.on('ready', () => {
      if (b.idleTimeoutMs !== null) {
        idle = setTimeout(() => {
          o.log(`ssh: closing idle connection of ${user ?? '?'}`);
          client.end();
        }, b.idleTimeoutMs);
      }
      client.on('session', (accept) => {
        touch();
        const session = accept();
        let pty = false;
        session.on('pty', (acceptPty) => {
          pty = true;
          acceptPty?.();
        });
        session.on('env', (acceptEnv) => acceptEnv?.());
        session.on('window-change', (acceptWc) => acceptWc?.());
        session.on('shell', (acceptShell) => {
          const stream = acceptShell();
          const shell = startShell(
            {
              echo: pty,
              write: (t) => {
                if (stream.writable) stream.write(t);
              },
              end: () => {
                stream.exit(0);
                stream.end();
              },
            },
            o.status,
            o.version,
          );
          stream.on('data', (d: Buffer) => {
            touch();
            shell.input(d);
          });
        });
        session.on('exec', (acceptExec, _reject, info) => {
          const stream = acceptExec();
          const { output } = runCommand(info.command, o.status, o.version);
          stream.write(output);
          stream.exit(output.startsWith('unknown command') ? 127 : 0);
          stream.end();
        });
      });
    });

    client.on('close', () => {
      if (idle) clearTimeout(idle);
      if (user !== undefined) {
        const left = (openPerUser.get(user) ?? 1) - 1;
        if (left > 0) openPerUser.set(user, left);
        else openPerUser.delete(user);
      }
    });
  });

  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    ssh.injectSocket(socket);
  });

  return {
    listener,
    closeAll() {
      for (const s of sockets) s.destroy();
    },
  };
}

/**
 * ssh2 always adds `ssh-rsa` next to the rsa-sha2-* names for an RSA key, even when serverHostKey leaves it
 * out (its ordering code treats a missing ssh-rsa as "last"). A preset that must not offer SHA-1 signatures
 * gets one view of the RSA key per rsa-sha2-* name instead: ssh2 files such a key under its `type`, signs
 * with the negotiated hash and sends the real `ssh-rsa` public key blob, which RFC 8332 requires.
 */
function hostKeyConfig(files: readonly HostKeyFile[], algorithms: readonly string[]): Array<{ key: ParsedKey }> {
  const keys: Array<{ key: ParsedKey }> = [];
  for (const f of files) {
    const parsed = utils.parseKey(f.pem);
    if (parsed instanceof Error) throw new Error(`cannot read SSH host key ${f.file}: ${parsed.message}`);
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key) throw new Error(`no key in ${f.file}`);
    if (key.type !== 'ssh-rsa' || algorithms.includes('ssh-rsa')) {
      keys.push({ key });
      continue;
    }
    for (const name of algorithms.filter((a) => a === 'rsa-sha2-512' || a === 'rsa-sha2-256')) {
      keys.push({ key: Object.create(key, { type: { value: name, enumerable: true } }) as ParsedKey });
    }
  }
  return keys;
}
