import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { listEndpoints, loginSession } from './_support.js';

const REQUIRED = ['manufacturerName', 'productName', 'softwareVersion'] as const;

export default defineTestCase({
  id: 'opcua-inventory',
  title: 'The server reports its identity and firmware (BuildInfo)',
  description:
    'Reads ServerStatus/BuildInfo as the read-only account (anonymously only if the profile has no account) and ' +
    'expects manufacturer, product and software version to be present, and the version to match the firmware ' +
    'the profile declares, so that an inventory can identify the component.',
  requirements: ['CR 7.8'],
  minSecurityLevel: 2,
  componentTypes: 'all',
  protocol: 'opcua',
  safety: 'read',
  async run(ctx) {
    const endpoints = await listEndpoints(ctx);
    const account = ctx.credentialFor(['read-only', 'operator', 'engineer', 'admin']);
    const { attempt, session } = await ctx.step('open a session', () => loginSession(ctx, endpoints, account));
    if (!attempt.ok || !session) {
      return verdict.inconclusive(`Could not open a session to read BuildInfo (${attempt.statusCode ?? attempt.message}).`);
    }
    const info = await ctx.step('read BuildInfo', () => session.readBuildInfo());
    ctx.attach('build-info.json', info);
    const text = (k: string) => (typeof info[k] === 'string' ? (info[k] as string).trim() : '');
    ctx.observeDevice({
      manufacturerName: text('manufacturerName'),
      productName: text('productName'),
      softwareVersion: text('softwareVersion'),
      buildNumber: text('buildNumber'),
      productUri: text('productUri'),
    });
    const missing = REQUIRED.filter((k) => text(k) === '');
    if (missing.length > 0) {
      return verdict.fail(`BuildInfo leaves ${missing.join(', ')} empty, so the component cannot be inventoried.`);
    }
    const declared = ctx.profile.device.firmware;
    if (declared && !text('softwareVersion').includes(declared)) {
      return verdict.fail(
        `The device reports software version ${text('softwareVersion')}, but the profile declares firmware ${declared}: the inventory does not match the device under test.`,
      );
    }
    return verdict.pass(
      `BuildInfo identifies ${text('manufacturerName')} ${text('productName')} version ${text('softwareVersion')}${declared ? ', as the profile declares' : ''}.`,
    );
  },
});
