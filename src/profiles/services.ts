// How a declared service is named in reports and where it listens; one place for every protocol.
import type { ModbusService, OpcuaService } from './schema.js';

export const MODBUS_TCP_PORT = 502;
/** Modbus/TCP Security's registered port. */
export const MODBUS_TLS_PORT = 802;

export function modbusPort(s: ModbusService): number {
  return s.port ?? (s.tls ? MODBUS_TLS_PORT : MODBUS_TCP_PORT);
}

export function modbusAddress(s: ModbusService): string {
  if (s.serial) return `${s.serial.path} (${s.serial.baudRate} baud, ${s.serial.parity} parity, unit ${s.unitId})`;
  return `${s.tls ? 'modbus+tls' : 'modbus'}://${s.host}:${modbusPort(s)} (unit ${s.unitId})`;
}

export function serviceLabel(protocol: 'opcua' | 'modbus', service: OpcuaService | ModbusService): string {
  if (service.name) return service.name;
  if (protocol === 'opcua') return (service as OpcuaService).endpointUrl;
  const m = service as ModbusService;
  return m.serial ? m.serial.path : `${m.host}:${modbusPort(m)}`;
}
