// A Modbus exception raised while serving a request; the application layer turns it into an exception PDU.

export class ModbusException extends Error {
  constructor(readonly code: number) {
    super(`Modbus exception ${code}`);
  }
}
