import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { label, listEndpoints, loginSession } from './_support.js';

// Answers that mean "you may not write this", as opposed to "this write was malformed".
const DENIED = new Set(['BadUserAccessDenied', 'BadNotWritable', 'BadWriteNotSupported']);

export default defineTestCase({
  id: 'opcua-readonly-write-refused',
  title: 'A read-only account cannot write process values',
  description:
    'Logs in as the profile\'s read-only account, reads a node from the profile\'s safe-write list and writes the ' +
    'same value back: the server must refuse. When the profile also has an engineer account, the same write as ' +
    'the engineer must succeed, which proves the refusal comes from the role and not from the node.',
  requirements: ['CR 2.1'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'opcua',
  safety: 'state-change',
  preconditions: ({ profile, service }) => {
    if (service.safeWriteNodes.length === 0) return 'the profile lists no safeWriteNodes for this endpoint';
    const readOnly = Object.entries(profile.credentials).some(
      ([name, c]) => c.role === 'read-only' && name !== profile.safety.lockoutAccount,
    );
    return readOnly ? undefined : 'the profile has no read-only account (other than the lockout account)';
  },
  async run(ctx) {
    const nodeId = ctx.service.safeWriteNodes[0]!;
    const reader = ctx.credentialFor('read-only')!;
    const endpoints = await listEndpoints(ctx);
    const { endpoint, attempt, session } = await ctx.step(`log in as ${reader.username}`, () => loginSession(ctx, endpoints, reader));
    if (!attempt.ok || !session || !endpoint) {
      return verdict.inconclusive(`The read-only account could not log in (${attempt.statusCode ?? attempt.message}).`);
    }
    const before = await ctx.step(`read ${nodeId}`, () => session.read(nodeId));
    if (!before.statusCode.startsWith('Good')) {
      return verdict.inconclusive(`The read-only account cannot even read ${nodeId} (${before.statusCode}).`);
    }
    const write = await ctx.step(`write ${nodeId} back as ${reader.username}`, () => session.write(nodeId, before.value));
    const evidence: Record<string, unknown> = { nodeId, endpoint: label(endpoint), valueWritten: before.value, readOnlyWrite: write.statusCode };
    if (write.statusCode.startsWith('Good')) {
      ctx.attach('writes.json', evidence);
      return verdict.fail(`The read-only account ${reader.username} wrote ${nodeId} (${write.statusCode}).`);
    }
    if (!DENIED.has(write.statusCode)) {
      ctx.attach('writes.json', evidence);
      return verdict.inconclusive(`The write was refused with ${write.statusCode}, which does not say it was an authorization decision.`);
    }
    const engineer = ctx.credentialFor(['engineer', 'admin']);
    if (engineer) {
      const eng = await ctx.step(`log in as ${engineer.username}`, () => loginSession(ctx, endpoints, engineer));
      const control = eng.session ? await ctx.step(`write ${nodeId} back as ${engineer.username}`, () => eng.session!.write(nodeId, before.value)) : undefined;
      evidence.engineerWrite = control?.statusCode ?? eng.attempt.statusCode;
      ctx.attach('writes.json', evidence);
      if (!control?.statusCode.startsWith('Good')) {
        return verdict.inconclusive(
          `The read-only write was refused (${write.statusCode}), but the ${engineer.role} account could not write either (${evidence.engineerWrite}), so the refusal may not come from the role.`,
        );
      }
      return verdict.pass(`${reader.username} was refused (${write.statusCode}) where ${engineer.username} may write ${nodeId}.`);
    }
    ctx.attach('writes.json', evidence);
    return verdict.pass(`The read-only account ${reader.username} was refused writing ${nodeId} (${write.statusCode}).`);
  },
});
