// The OPC UA Plant.* view of the PLC's process image (one-device mode): percentages on the OPC UA side,
// registers scaled x10 (level, setpoint) or in whole percent (valves) on the Modbus side.
import type { PlantProcess } from '../opcua-server/process-model.js';
import { COIL, HR, type PlcProcess } from './process.js';

export function plantView(p: PlcProcess): PlantProcess {
  return {
    get heartbeat() {
      return p.holding[HR.heartbeat]!;
    },
    get level() {
      return p.holding[HR.level]! / 10;
    },
    get setpoint() {
      return p.holding[HR.setpoint]! / 10;
    },
    set setpoint(v: number) {
      p.writeHolding(HR.setpoint, Math.round(v * 10));
    },
    get inletValve() {
      return p.holding[HR.inletValve]!;
    },
    set inletValve(v: number) {
      p.writeHolding(HR.inletValve, Math.round(v));
    },
    get outletValve() {
      return p.holding[HR.outletValve]!;
    },
    set outletValve(v: number) {
      p.writeHolding(HR.outletValve, Math.round(v));
    },
    get pumpRunning() {
      return p.coils[COIL.pumpRunning] === 1;
    },
    set pumpRunning(on: boolean) {
      p.writeCoil(COIL.pumpRunning, on);
    },
  };
}
