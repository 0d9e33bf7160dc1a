import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { ModbusExceptionError } from '../../src/protocols/modbus/types.js';
import { DEVICE_ID_OBJECTS, type DeviceIdentification } from '../../src/protocols/modbus/wire.js';
import { transportName } from './_support.js';

/** "V4.2.1", "4.2.1 build 7" and "4.2.1" name the same release. */
function sameVersion(reported: string, declared: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/^v(?=\d)/, '').trim();
  const r = norm(reported);
  const d = norm(declared);
  return r === d || r.startsWith(`${d} `) || d.startsWith(`${r} `);
}

export default defineTestCase({
  id: 'modbus-device-identification',
  title: 'The device reports its identity over Modbus',
  description:
    'Reads the basic device identification objects (FC 43/14: VendorName, ProductCode, MajorMinorRevision) and ' +
    'compares them with the identity the profile declares. An inventory needs every basic object, and a firmware ' +
    'revision that matches what the supplier says is installed.',
  requirements: ['CR 7.8'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'modbus',
  safety: 'read',
  async run(ctx) {
    let id: DeviceIdentification;
    const session = await ctx.step('connect', () => ctx.client.session());
    try {
      id = await ctx.step('read device identification (FC 43/14)', () => session.readDeviceIdentification());
    } catch (err) {
      if (err instanceof ModbusExceptionError && err.exceptionCode === 1) {
        return verdict.inconclusive(
          `The ${transportName(ctx)} service does not implement Read Device Identification (exception 01), so this interface cannot support an inventory; CR 7.8 rests on other evidence.`,
        );
      }
      throw err;
    } finally {
      await session.close();
    }
    const objects = Object.fromEntries([...id.objects].map(([k, v]) => [DEVICE_ID_OBJECTS[k] ?? `object ${k}`, v]));
    ctx.attach('device-identification.json', { conformityLevel: id.conformityLevel, objects });
    const vendor = id.objects.get(0)?.trim();
    const product = id.objects.get(1)?.trim();
    const revision = id.objects.get(2)?.trim();
    ctx.observeDevice({ 'modbus.vendorName': vendor, 'modbus.productCode': product, 'modbus.revision': revision, 'modbus.productName': id.objects.get(4) });
    const missing = [vendor ? undefined : 'VendorName', product ? undefined : 'ProductCode', revision ? undefined : 'MajorMinorRevision'].filter(
      (m): m is string => m !== undefined,
    );
    if (missing.length > 0) {
      return verdict.fail(
        `The device identifies itself as "${vendor ?? '?'}" "${product ?? '?'}" but does not report ${missing.join(', ')}, so an inventory cannot tell what runs on it.`,
      );
    }
    const declared = ctx.profile.device;
    const contradictions: string[] = [];
    if (vendor!.toLowerCase() !== declared.vendor.toLowerCase()) contradictions.push(`vendor "${vendor}" (declared "${declared.vendor}")`);
    if (declared.firmware && !sameVersion(revision!, declared.firmware)) {
      contradictions.push(`revision "${revision}" (declared firmware "${declared.firmware}")`);
    }
    if (contradictions.length > 0) {
      return verdict.fail(`The device reports ${contradictions.join(' and ')}: the inventory contradicts the supplier's declaration.`);
    }
    return verdict.pass(
      `The device reports ${vendor} ${product} revision ${revision}${declared.firmware ? ', matching the declared firmware' : ''}.`,
    );
  },
});
