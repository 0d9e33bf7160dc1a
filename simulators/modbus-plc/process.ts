// The PLC's process image and its control logic: a small tank loop plus a heartbeat.
// The Modbus stacks read and write this image; in one-device mode the OPC UA server's Plant.* nodes are
// bound to it too (plant-binding.ts), so both protocols see one device.
//
//   holding 0..99   HR0 heartbeat (+1 per completed scan, wraps at 65536), HR1 level x10 (0..1000),
//                   HR2 last scan duration in ms, HR10 setpoint x10 (0..1000), HR11 inlet valve %,
//                   HR12 outlet valve %; the others hold 0
//   input 0..99     IR0..IR2 mirror HR0..HR2
//   coils 0..15     coil 0 = pump running
//   discrete 0..15  DI0 = level high alarm

import type { RegisterTable } from '../../src/protocols/modbus/wire.js';

export const TABLE_SIZE: Readonly<Record<RegisterTable, number>> = { holding: 100, input: 100, coil: 16, discrete: 16 };

export const HR = { heartbeat: 0, level: 1, scanMs: 2, setpoint: 10, inletValve: 11, outletValve: 12 } as const;
export const COIL = { pumpRunning: 0 } as const;
export const DI = { levelHigh: 0 } as const;

/** Engineering ranges of the commandable registers; a hardened stack refuses values outside them. */
export const HOLDING_VALUE_RANGES: ReadonlyMap<number, readonly [number, number]> = new Map([
  [HR.setpoint, [0, 1000] as const],
  [HR.inletValve, [0, 100] as const],
  [HR.outletValve, [0, 100] as const],
]);

/** Level change per scan, in tenths of a percent: slow enough that a setpoint change shows over many reads. */
const LEVEL_STEP = 2;
const LEVEL_HIGH_ALARM = 900;

export class PlcProcess {
  readonly holding = new Uint16Array(TABLE_SIZE.holding);
  readonly input = new Uint16Array(TABLE_SIZE.input);
  readonly coils = new Uint8Array(TABLE_SIZE.coil);
  readonly discrete = new Uint8Array(TABLE_SIZE.discrete);

  constructor() {
    // The same starting point as the standalone OPC UA simulator's tank.
    this.holding[HR.level] = 400;
    this.holding[HR.setpoint] = 500;
    this.holding[HR.inletValve] = 30;
    this.holding[HR.outletValve] = 20;
    this.coils[COIL.pumpRunning] = 1;
    this.publish();
  }

  /** One pass of the control logic. */
  step(): void {
    const level = Math.min(this.holding[HR.level]!, 1000);
    // A legacy stack may have stored any value; the logic only ever uses the engineering range.
    const target = this.coils[COIL.pumpRunning] ? Math.min(this.holding[HR.setpoint]!, 1000) : 0;
    const outletOpen = this.holding[HR.outletValve]! > 0;
    let next = level;
    if (this.coils[COIL.pumpRunning]) next += Math.max(-LEVEL_STEP, Math.min(LEVEL_STEP, target - level));
    else if (outletOpen) next = Math.max(0, level - 1); // pump off: the tank drains through the outlet
    this.holding[HR.level] = next;
    this.discrete[DI.levelHigh] = next > LEVEL_HIGH_ALARM ? 1 : 0;
  }

  /** The end of a completed scan: its duration is published and the heartbeat counts it. */
  completeScan(durationMs: number): void {
    this.holding[HR.scanMs] = Math.min(0xffff, Math.round(durationMs));
    this.holding[HR.heartbeat] = this.holding[HR.heartbeat]! + 1; // Uint16Array wraps at 65536
    this.publish();
  }

  get heartbeat(): number {
    return this.holding[HR.heartbeat]!;
  }

  table(name: RegisterTable): Uint16Array | Uint8Array {
    switch (name) {
      case 'holding':
        return this.holding;
      case 'input':
        return this.input;
      case 'coil':
        return this.coils;
      case 'discrete':
        return this.discrete;
    }
  }

  /** Holding-register write; HR0..HR2 mirror to the input registers at once, as a read-back would expect. */
  writeHolding(address: number, value: number): void {
    this.holding[address] = value;
    if (address <= HR.scanMs) this.publish();
  }

  writeCoil(address: number, on: boolean): void {
    this.coils[address] = on ? 1 : 0;
  }

  private publish(): void {
    this.input[0] = this.holding[HR.heartbeat]!;
    this.input[1] = this.holding[HR.level]!;
    this.input[2] = this.holding[HR.scanMs]!;
  }
}
