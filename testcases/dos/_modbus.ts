// A fresh Modbus request after a load step: the service must answer a new connection again.
import type { CheckContext } from '../../src/core/testcase.js';

export async function modbusServiceAnswers(ctx: CheckContext<'modbus'>): Promise<string | undefined> {
  const target = ctx.service.readRegisters[0] ?? { table: 'holding' as const, address: 0, count: 1 };
  try {
    const session = await ctx.client.session();
    try {
      await session.read(target.table, target.address, 1);
      return undefined;
    } finally {
      await session.close();
    }
  } catch (err) {
    return (err as Error).message;
  }
}
