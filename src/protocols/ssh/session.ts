// An interactive SSH session (an authenticated connection with a shell channel), watched for the moment
// the device ends it. The idle-timeout and session-limit checks are built on it.
import type { ClientChannel, Client as Ssh2Client } from 'ssh2';
import { firstLine } from '../../core/errors.js';

export interface SessionEnd {
  /** Milliseconds from the shell opening to the end. */
  afterMs: number;
  /** How it ended, e.g. "connection closed by the device" or "shell channel closed". */
  how: string;
}

export interface SshSession {
  readonly username: string;
  /** Resolves when the session ends, whoever ends it; never rejects. */
  readonly ended: Promise<SessionEnd>;
  isOpen(): boolean;
  /** The first output the shell printed (a prompt, usually), bounded; empty when none arrived yet. */
  firstOutput(): string;
  /** Ends the session from our side; resolves when the connection is gone. */
  close(): Promise<void>;
}

const MAX_OUTPUT = 200;

/**
 * Why no shell opened. `refused`: the device said no (it rejected the request or hung up); `failed`: no answer
 * in time or a local fault, which says nothing about the device's limits.
 */
export type ShellFailure = { refused: string } | { failed: string };

/**
 * Opens a shell on an authenticated connection; otherwise the connection is closed and the reason returned.
 * Rejects (after closing the connection) when the signal aborts.
 */
export function openShell(client: Ssh2Client, username: string, timeoutMs: number, signal?: AbortSignal): Promise<{ session: SshSession } | ShellFailure> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => settle({ failed: `no shell within ${timeoutMs} ms` }), timeoutMs);
    const settle = (r: { session: SshSession } | ShellFailure | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeListener('close', onEarlyClose);
      signal?.removeEventListener('abort', onAbort);
      if (!('session' in r)) {
        client.end();
        setImmediate(() => client.destroy());
      }
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const onEarlyClose = () => settle({ refused: 'the device closed the connection before the shell opened' });
    const onAbort = () => settle(new Error('aborted while opening the SSH shell'));
    client.on('close', onEarlyClose);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      client.shell((err, channel) => {
        if (err) return settle({ refused: `the shell was refused: ${firstLine(err)}` });
        settle({ session: watch(client, channel, username) });
      });
    } catch (err) {
      settle({ failed: `the shell could not be requested: ${firstLine(err)}` });
    }
  });
}

function watch(client: Ssh2Client, channel: ClientChannel, username: string): SshSession {
  const openedAt = performance.now();
  let open = true;
  let closingOurselves = false;
  let output = '';
  let resolveEnded!: (e: SessionEnd) => void;
  const ended = new Promise<SessionEnd>((r) => (resolveEnded = r));
  const end = (how: string) => {
    if (!open) return;
    open = false;
    resolveEnded({ afterMs: Math.round(performance.now() - openedAt), how: closingOurselves ? 'closed by the harness' : how });
  };
  const onData = (chunk: Buffer) => {
    if (output.length < MAX_OUTPUT) output += chunk.toString('utf8').slice(0, MAX_OUTPUT - output.length);
  };
  channel.on('data', onData);
  channel.stderr.on('data', onData);
  channel.on('close', () => end('the device closed the shell channel'));
  client.on('close', () => end('the device closed the connection'));
  client.on('end', () => end('the device ended the connection'));
  client.on('error', (err: Error) => end(`the connection failed: ${firstLine(err)}`));

  return {
    username,
    ended,
    isOpen: () => open,
    firstOutput: () => output.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ''),
    async close() {
      if (!open) return;
      closingOurselves = true;
      client.end();
      const gone = new Promise<void>((r) => client.once('close', () => r()));
      const timeout = new Promise<void>((r) => setTimeout(r, 1000).unref());
      await Promise.race([gone, timeout]);
      client.destroy();
      end('closed by the harness');
    },
  };
}
