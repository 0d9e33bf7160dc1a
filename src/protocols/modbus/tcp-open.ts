// Opening the byte stream under a Modbus TCP connection: a TCP connect, then (for Modbus/TCP Security)
// the TLS handshake over it, each bounded by the connect timeout and the run's abort signal. Failures
// become ModbusConnectError with the stage that failed.
import net from 'node:net';
import tls from 'node:tls';
import { abortError, tcpConnectError } from './errors.js';
import { ModbusConnectError } from './types.js';

/** Keeps a late 'error' (a device resetting the connection) from ever crashing the process. */
export function guardErrors(socket: net.Socket): void {
  if (socket.listenerCount('error') === 0) socket.on('error', () => undefined);
}

export function openTcp(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<net.Socket> {
  const where = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const socket = net.connect({ host, port });
    guardErrors(socket);
    const settle = (err?: Error) => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      if (!err) return resolve(socket);
      socket.destroy();
      reject(err);
    };
    const onConnect = () => {
      // Frames go out as written: probes that split a frame need separate segments.
      socket.setNoDelay(true);
      settle();
    };
    const onError = (err: NodeJS.ErrnoException) => settle(tcpConnectError(where, err));
    const onAbort = () => settle(signal ? abortError(signal) : new Error('aborted'));
    const timer = setTimeout(
      () => settle(new ModbusConnectError('tcp', `${where}: no answer within ${timeoutMs} ms`, 'ETIMEDOUT')),
      timeoutMs,
    );
    socket.once('connect', onConnect);
    socket.on('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The TLS handshake over a connected socket. On failure the socket is destroyed. */
export function upgradeTls(
  socket: net.Socket,
  options: tls.ConnectionOptions,
  where: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      socket.destroy();
      return reject(abortError(signal));
    }
    let secure: tls.TLSSocket;
    try {
      secure = tls.connect({ ...options, socket });
    } catch (err) {
      // e.g. ERR_SSL_NO_CIPHER_MATCH for a cipher list this runtime cannot use
      socket.destroy();
      const e = err as NodeJS.ErrnoException;
      return reject(new ModbusConnectError('tls', `${where}: cannot start the TLS handshake: ${e.message}`, e.code));
    }
    guardErrors(secure);
    const settle = (err?: Error) => {
      clearTimeout(timer);
      secure.off('secureConnect', onSecure);
      secure.off('error', onError);
      secure.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (!err) return resolve(secure);
      secure.destroy();
      reject(err);
    };
    const onSecure = () => settle();
    const onError = (err: NodeJS.ErrnoException) =>
      settle(new ModbusConnectError('tls', `${where}: TLS handshake failed: ${err.message}`, err.code));
    const onClose = () =>
      settle(new ModbusConnectError('tls', `${where}: the device closed the connection during the TLS handshake`, 'ECONNRESET'));
    const onAbort = () => settle(signal ? abortError(signal) : new Error('aborted'));
    const timer = setTimeout(
      () => settle(new ModbusConnectError('tls', `${where}: TLS handshake not finished within ${timeoutMs} ms`, 'ETIMEDOUT')),
      timeoutMs,
    );
    secure.once('secureConnect', onSecure);
    secure.on('error', onError);
    secure.once('close', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Ends a socket politely (FIN, or TLS close_notify), and destroys it if the peer does not finish within graceMs. */
export function closeSocket(socket: net.Socket, graceMs = 200): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.destroy(), graceMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
  });
}
