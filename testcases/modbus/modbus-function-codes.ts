import { defineTestCase, verdict } from '../../src/core/testcase.js';
import type { ModbusLink } from '../../src/protocols/modbus/types.js';
import { describeReply, openLink, transportName } from './_support.js';

type Exposure = 'answered' | 'refused' | 'no reply' | 'closed';

export default defineTestCase({
  id: 'modbus-function-codes',
  title: 'The device answers only the Modbus function codes the process needs',
  description:
    'Sends each function code the knowledge base has a state-safe probe for (write codes with values a device must ' +
    'reject, diagnostics only with "return query data") and builds the exposure matrix: answered, or refused with ' +
    'exception 01. Any answered code outside the profile\'s functionCodes (or, without that list, any code the ' +
    'knowledge base says to avoid) counts against least functionality.',
  requirements: ['CR 7.7'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'modbus',
  safety: 'read',
  async run(ctx) {
    const entries = ctx.kb.modbusFunctionCodes().filter((e) => e.probe !== undefined);
    const declared = ctx.service.functionCodes;
    const matrix: Record<string, unknown>[] = [];
    let link: ModbusLink | undefined;
    try {
      for (const e of entries) {
        if (!link || link.closed) {
          const opened = await openLink(ctx);
          if ('refused' in opened) return verdict.inconclusive(`The ${transportName(ctx)} service could not be reached: ${opened.refused}.`);
          link = opened.link;
        }
        const label = e.mei === undefined ? `${e.code}` : `${e.code}/${e.mei}`;
        const reply = await ctx.step(`probe function ${label} (${e.name})`, () => link!.request(e.probe!));
        const result: Exposure =
          reply.kind === 'exception' && reply.exceptionCode === 1
            ? 'refused'
            : reply.kind === 'exception' || reply.kind === 'response'
              ? 'answered'
              : reply.kind === 'closed'
                ? 'closed'
                : 'no reply';
        matrix.push({ code: label, name: e.name, category: e.category, exposure: e.exposure, result, reply: describeReply(reply), reason: e.reason, source: e.source });
      }
    } finally {
      await link?.close();
    }
    ctx.attach('function-code-matrix.json', matrix);
    const answered = matrix.filter((m) => m.result === 'answered');
    const refused = matrix.filter((m) => m.result === 'refused');
    ctx.measure('answered', answered.length, `of ${matrix.length} probed`);
    ctx.measure('refusedWithException01', refused.length);
    ctx.measure('answeredCodes', answered.map((m) => String(m.code)).join(' '));
    if (answered.length === 0 && refused.length === 0) {
      return verdict.inconclusive(`None of the ${matrix.length} probes got an answer or an exception 01, so the matrix says nothing.`);
    }
    const unneeded = answered.filter((m) =>
      declared ? !declared.includes(Number(String(m.code).split('/')[0])) : m.exposure === 'avoid',
    );
    const basis = declared ? `the profile's functionCodes (${declared.join(', ')})` : 'the knowledge base\'s "avoid" list (the profile declares no functionCodes)';
    if (unneeded.length > 0) {
      const named = unneeded.slice(0, 5).map((m) => `${String(m.code)} ${String(m.name)}`).join(', ');
      return verdict.fail(
        `The device answers ${unneeded.length} function code(s) outside ${basis}: ${named}${unneeded.length > 5 ? ', …' : ''}.`,
      );
    }
    return verdict.pass(
      `The device answers only ${answered.map((m) => String(m.code)).join(', ')}, within ${basis}, and refuses ${refused.length} other code(s) with exception 01.`,
    );
  },
});
