// The Modbus RTU slave on a serial port. It answers only its own unit id and never acts on broadcasts
// (unit 0). Ports are opened by path: SerialPort.list() needs udev, which containers often lack.

import { SerialPort } from 'serialport';
import { decodeRtu, encodeRtu } from '../../src/protocols/modbus/wire.js';
import type { PlcDevice } from './device.js';
import type { AccessPath, RtuBehaviour } from './presets.js';
import { createRtuFramer, interFrameGapMs } from './rtu-framing.js';

export type Parity = 'none' | 'even' | 'odd';

export interface SerialSettings {
  path: string;
  /** Default 19200. */
  baudRate?: number;
  /** Default even (the serial-line spec's default). */
  parity?: Parity;
}

export interface RunningRtuSlave {
  path: string;
  stop(): Promise<void>;
}

export class SerialOpenError extends Error {
  constructor(
    readonly path: string,
    cause: string,
  ) {
    super(`the serial port ${path} cannot be opened: ${cause}`);
    this.name = 'SerialOpenError';
  }
}

export async function startRtuSlave(
  device: PlcDevice,
  settings: SerialSettings,
  behaviour: RtuBehaviour,
  access: AccessPath,
): Promise<RunningRtuSlave> {
  const baudRate = settings.baudRate ?? 19200;
  const parity = settings.parity ?? 'even';
  const port = new SerialPort({
    path: settings.path,
    baudRate,
    parity,
    dataBits: 8,
    stopBits: parity === 'none' ? 2 : 1, // always 11 bits per character, as the spec asks
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) =>
    port.open((err) => (err ? reject(new SerialOpenError(settings.path, err.message)) : resolve())),
  );
  port.on('error', () => {}); // a vanished pty must not crash the simulator

  const onFrame = (frame: Buffer) => {
    const decoded = decodeRtu(frame);
    if (!decoded || decoded.unitId !== behaviour.unitId) return;
    if (behaviour.checkCrc && !decoded.crcOk) return; // the spec: a frame with a bad CRC is dropped silently
    device.submit({
      pdu: decoded.pdu,
      access,
      alive: () => port.isOpen,
      reply: (pdu) => {
        if (port.isOpen) port.write(encodeRtu(behaviour.unitId, pdu));
      },
    });
  };
  const framer = createRtuFramer(behaviour.framing, interFrameGapMs(baudRate, behaviour.minGapMs), onFrame);
  port.on('data', (chunk: Buffer) => framer.push(chunk));

  let stopping: Promise<void> | undefined;
  return {
    path: settings.path,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        framer.stop();
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      })),
  };
}
