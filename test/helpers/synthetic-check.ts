// A check that touches no device, for testing the planner and runner themselves.
import { defineTestCase, verdict, type TestCase } from '../../src/core/testcase.js';

export function syntheticCheck(id: string, overrides: Partial<TestCase> = {}): TestCase {
  return {
    ...defineTestCase({
      id,
      title: id,
      description: id,
      requirements: ['CR 1.1'],
      minSecurityLevel: 1,
      componentTypes: 'all',
      protocol: 'opcua',
      safety: 'passive',
      run: async () => verdict.pass('ok'),
    }),
    ...overrides,
  } as TestCase;
}
