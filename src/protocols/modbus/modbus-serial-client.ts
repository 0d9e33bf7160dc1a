// modbus-serial is CommonJS with a default export that tsc under NodeNext sees as a namespace (NOTES).
import pkg from 'modbus-serial';

export const ModbusRTU = pkg.default;
export type ModbusClient = InstanceType<typeof ModbusRTU>;

/** modbus-serial's errors are plain objects with a name, not Error instances. */
export interface ModbusSerialError {
  name?: string;
  message?: string;
  modbusCode?: number;
  errno?: string;
}

export function asModbusSerialError(err: unknown): ModbusSerialError {
  return typeof err === 'object' && err !== null ? (err as ModbusSerialError) : { message: String(err) };
}
