// Opening a serial line by its path (SerialPort.list() needs udev, which a lab PC or container may lack),
// bounded by the connect timeout and the run's abort signal. Failures name the path and the reason.
import { SerialPort } from 'serialport';
import type { ModbusService } from '../../profiles/schema.js';
import { abortError, serialConnectError, serialErrorKind } from './errors.js';
import { ModbusConnectError } from './types.js';

export type SerialSettings = NonNullable<ModbusService['serial']>;

export function openSerial(s: SerialSettings, timeoutMs: number, signal?: AbortSignal): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    let port: SerialPort;
    try {
      port = new SerialPort({
        path: s.path,
        baudRate: s.baudRate,
        parity: s.parity,
        dataBits: s.dataBits,
        stopBits: s.stopBits,
        autoOpen: false,
      });
    } catch (err) {
      return reject(serialConnectError(s.path, err as Error));
    }
    // A device unplugged later must not crash the process; owners add their own listeners.
    port.on('error', () => undefined);
    let settled = false;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (!err) return resolve(port);
      if (port.isOpen) port.close(() => undefined);
      reject(err);
    };
    const onAbort = () => settle(signal ? abortError(signal) : new Error('aborted'));
    const timer = setTimeout(
      () => settle(new ModbusConnectError('serial', `${s.path}: did not open within ${timeoutMs} ms`, 'ETIMEDOUT')),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    port.open((err) => {
      if (err) return settle(serialConnectError(s.path, err));
      // Opened after we gave up: release it at once.
      if (settled) return port.close(() => undefined);
      settle();
    });
  });
}

export function closeSerial(port: SerialPort, timeoutMs = 1000): Promise<void> {
  if (!port.isOpen) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    port.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Whether the serial path exists and opens; undefined when it does, otherwise why not. */
export async function serialUnreachable(path: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const port = await openSerial({ path, baudRate: 19_200, parity: 'even', dataBits: 8, stopBits: 1 }, timeoutMs);
    await closeSerial(port);
    return undefined;
  } catch (err) {
    if (err instanceof ModbusConnectError) return err.message;
    return `${path}: ${serialErrorKind(err as Error).phrase}`;
  }
}
