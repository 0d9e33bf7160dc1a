// FC 43 / MEI 14, Read Device Identification (Modbus Application Protocol v1.1b3, 6.21):
// stream access to the basic (code 1) and regular (code 2) categories, and individual access (code 4).

import { EXCEPTION, FC, MAX_PDU_LENGTH } from '../../src/protocols/modbus/wire.js';
import { ModbusException } from './exception.js';

export const MEI_READ_DEVICE_ID = 0x0e;
const READ_CODE = { basic: 1, regular: 2, extended: 3, individual: 4 } as const;
/** Highest object id of each stream category: basic 0..2, regular 0..0x7F. */
const CATEGORY_END: Readonly<Record<number, number>> = { [READ_CODE.basic]: 0x02, [READ_CODE.regular]: 0x7f };
/** Fixed part of the response: FC, MEI, read code, conformity, more follows, next object id, object count. */
const HEADER_LENGTH = 7;

export interface Identification {
  conformityLevel: number;
  objects: Readonly<Record<number, string>>;
}

/** The response PDU to a request with this read device id code and object id. */
export function readDeviceIdentification(id: Identification, readCode: number, objectId: number): Buffer {
  const present = Object.keys(id.objects)
    .map(Number)
    .sort((a, b) => a - b);
  const header = (moreFollows: boolean, nextObjectId: number, count: number) =>
    Buffer.from([FC.encapsulatedInterface, MEI_READ_DEVICE_ID, readCode, id.conformityLevel, moreFollows ? 0xff : 0, nextObjectId, count]);

  if (readCode === READ_CODE.individual) {
    const value = id.objects[objectId];
    if (value === undefined) throw new ModbusException(EXCEPTION.illegalDataAddress);
    return Buffer.concat([header(false, 0, 1), encodeObject(objectId, value)]);
  }
  const end = CATEGORY_END[readCode];
  if (end === undefined) throw new ModbusException(EXCEPTION.illegalDataValue); // extended (3) and unknown codes
  const inCategory = present.filter((o) => o <= end);
  // An object id the device does not have restarts the stream at the beginning (6.21).
  const start = inCategory.includes(objectId) ? objectId : (inCategory[0] ?? 0);
  const parts: Buffer[] = [];
  let size = HEADER_LENGTH;
  for (const o of inCategory.filter((x) => x >= start)) {
    const part = encodeObject(o, id.objects[o]!);
    if (size + part.length > MAX_PDU_LENGTH) return Buffer.concat([header(true, o, parts.length), ...parts]);
    parts.push(part);
    size += part.length;
  }
  return Buffer.concat([header(false, 0, parts.length), ...parts]);
}

function encodeObject(objectId: number, value: string): Buffer {
  const bytes = Buffer.from(value, 'latin1').subarray(0, 0xff);
  return Buffer.concat([Buffer.from([objectId, bytes.length]), bytes]);
}
