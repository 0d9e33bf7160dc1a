// The essential-function monitor's Modbus source: one value, read over a session of its own. A dropped
// connection is reopened on the next read, so the monitor can see the device recover after a load.
import { nullTranscript } from '../../core/transcript.js';
import type { ValueReader } from '../../monitor/index.js';
import type { ModbusService } from '../../profiles/schema.js';
import { modbusAddress } from '../../profiles/services.js';
import { ModbusClosedError } from './errors.js';
import { createModbusFixture } from './fixture.js';
import type { ModbusClientFixture, ModbusSession } from './types.js';
import type { RegisterTable } from './wire.js';

export interface ModbusValueTarget {
  table: RegisterTable;
  address: number;
}

export function modbusValueReader(
  service: ModbusService,
  target: ModbusValueTarget,
  opts: { connectTimeoutMs: number; signal?: AbortSignal },
): ValueReader {
  let fixture: ModbusClientFixture | undefined;
  let session: ModbusSession | undefined;

  const reset = async () => {
    const f = fixture;
    fixture = undefined;
    session = undefined;
    await f?.close();
  };

  const names: Record<RegisterTable, string> = {
    holding: 'holding register',
    input: 'input register',
    coil: 'coil',
    discrete: 'discrete input',
  };
  return {
    where: `${names[target.table]} ${target.address} at ${modbusAddress(service)}`,
    async read() {
      if (!session) {
        fixture = createModbusFixture(service, nullTranscript, opts);
        try {
          session = await fixture.session();
        } catch (err) {
          await reset();
          throw err;
        }
      }
      try {
        const [value] = await session.read(target.table, target.address, 1);
        if (value === undefined) throw new Error(`read ${target.table} ${target.address}: empty reply`);
        return value;
      } catch (err) {
        // Timeouts and exceptions keep the connection; a closed one is reopened next time.
        if (err instanceof ModbusClosedError) await reset();
        throw err;
      }
    },
    close: reset,
  };
}
