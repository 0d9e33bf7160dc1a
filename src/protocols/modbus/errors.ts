// Errors a Modbus session throws besides the contract's ModbusExceptionError and ModbusConnectError,
// so callers (checks, the monitor) can tell a silent device from a dropped connection.
import { ModbusConnectError } from './types.js';

/** No reply within the timeout. */
export class ModbusTimeoutError extends Error {
  constructor(
    readonly timeoutMs: number,
    what: string,
  ) {
    super(`${what}: no reply, timed out after ${timeoutMs} ms`);
    this.name = 'ModbusTimeoutError';
  }
}

/** The connection (or serial port) closed before the device answered, or was already closed. */
export class ModbusClosedError extends Error {
  constructor(message = 'the connection closed before the device answered') {
    super(message);
    this.name = 'ModbusClosedError';
  }
}

const PHRASES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the peer',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EADDRNOTAVAIL: 'address not available',
};

/** A socket error as a ModbusConnectError, e.g. "127.0.0.1:502: connection refused (ECONNREFUSED)". */
export function tcpConnectError(where: string, err: NodeJS.ErrnoException): ModbusConnectError {
  const code = err.code;
  const phrase = (code && PHRASES[code]) ?? err.message;
  return new ModbusConnectError('tcp', `${where}: ${phrase}${code ? ` (${code})` : ''}`, code);
}

/** A serial port error as a ModbusConnectError; serialport's messages carry no code, so derive one. */
export function serialConnectError(path: string, err: Error): ModbusConnectError {
  const { code, phrase } = serialErrorKind(err);
  return new ModbusConnectError('serial', `${path}: ${phrase}`, code);
}

export function serialErrorKind(err: Error): { code?: string; phrase: string } {
  const m = err.message;
  const errno = (err as NodeJS.ErrnoException).code;
  if (errno === 'ENOENT' || /no such file|ENOENT/i.test(m)) return { code: 'ENOENT', phrase: 'no such device' };
  if (errno === 'EACCES' || /permission denied|EACCES/i.test(m)) {
    return { code: 'EACCES', phrase: 'permission denied (is the user in the dialout group?)' };
  }
  if (/busy|lock|temporarily unavailable|EBUSY|EAGAIN/i.test(m)) return { code: 'EBUSY', phrase: 'in use by another program' };
  if (/not a tty|inappropriate ioctl|ENOTTY/i.test(m)) return { code: 'ENOTTY', phrase: 'not a serial port' };
  return { ...(errno ? { code: errno } : {}), phrase: m.replace(/^Error:\s*/, '') };
}

/** The abort reason as an Error, for rejecting work cut short by the run's signal. */
export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
