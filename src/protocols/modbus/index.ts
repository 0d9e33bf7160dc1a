// Modbus protocol adapter for the checks: Modbus TCP, Modbus/TCP Security (TLS) and Modbus RTU.
//
//   createModbusFixture(service, transcript, { signal?, connectTimeoutMs, logLimit? }): ModbusClientFixture
//     .session(options?)  typed requests through modbus-serial: read, write, readDeviceIdentification
//     .link(options?)     raw requests with our own codec: request, sendRaw, collect (wire.ts)
//     .socket(options?)   TCP/TLS only: a connected socket for load generators
//     .close()            closes everything it opened (also when the signal aborts)
//   Session errors: ModbusExceptionError (exception reply), ModbusTimeoutError (no reply),
//   ModbusClosedError (the connection closed); connecting throws ModbusConnectError('tcp'|'tls'|'serial').
//   serialUnreachable(path, timeoutMs), modbusValueReader(service, target, opts) for the monitor.

export { createModbusFixture, type ModbusFixtureOptions } from './fixture.js';
export { ModbusClosedError, ModbusTimeoutError } from './errors.js';
export { readDeviceIdRounds, MAX_DEVICE_ID_ROUNDS } from './device-id.js';
export { serialUnreachable } from './serial-open.js';
export { modbusValueReader, type ModbusValueTarget } from './value-reader.js';
export { LEGACY_CIPHERS, expandHome } from './tls-setup.js';
export * from './types.js';
