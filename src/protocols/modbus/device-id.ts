// Read Device Identification (FC 43 / MEI 14), basic stream, following "more follows" for a few rounds.
// Sent with our own codec rather than modbus-serial's readDeviceIdentification: that one decodes objects
// as ASCII, drops the next-object id, follows "more follows" without bound, and throws from a timer (an
// uncaught exception) when a follow-up round goes unanswered.
import { ModbusClosedError, ModbusTimeoutError } from './errors.js';
import { ModbusExceptionError, type LinkReply } from './types.js';
import { parseDeviceIdResponse, readDeviceIdRequest, type DeviceIdentification } from './wire.js';
import { hex } from './wire-log.js';

export const MAX_DEVICE_ID_ROUNDS = 8;

export async function readDeviceIdRounds(
  request: (pdu: Buffer) => Promise<LinkReply>,
  timeoutMs: number,
  maxRounds = MAX_DEVICE_ID_ROUNDS,
): Promise<DeviceIdentification> {
  const objects = new Map<number, string>();
  let objectId = 0;
  let last: DeviceIdentification | undefined;
  for (let round = 0; round < maxRounds; round++) {
    const reply = await request(readDeviceIdRequest(1, objectId));
    if (reply.kind === 'exception') throw new ModbusExceptionError(reply.functionCode, reply.exceptionCode);
    if (reply.kind === 'no-reply') throw new ModbusTimeoutError(timeoutMs, 'read device identification');
    if (reply.kind === 'closed') throw new ModbusClosedError();
    const parsed = parseDeviceIdResponse(reply.pdu);
    if (!parsed) throw new Error(`read device identification: malformed reply ${hex(reply.pdu)}`);
    for (const [id, value] of parsed.objects) objects.set(id, value);
    last = parsed;
    // Stop on the last part, on an empty part, or on a device that would send us back (a loop).
    if (!parsed.moreFollows || parsed.objects.size === 0 || parsed.nextObjectId <= objectId) break;
    objectId = parsed.nextObjectId;
  }
  return {
    conformityLevel: last?.conformityLevel ?? 0,
    moreFollows: last?.moreFollows ?? false,
    nextObjectId: last?.nextObjectId ?? 0,
    objects,
  };
}

