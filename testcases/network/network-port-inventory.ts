import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { describeService, surveyHost, type PortRow } from './_support.js';

const MAX_NAMED = 6;

function nameSome(items: readonly string[]): string {
  const rest = items.length - MAX_NAMED;
  return items.slice(0, MAX_NAMED).join('; ') + (rest > 0 ? `; and ${rest} more` : '');
}

export default defineTestCase({
  id: 'network-port-inventory',
  title: 'Only the declared ports are open',
  description:
    'A rate-limited TCP connect sweep of the host (network.ports, or the knowledge base\'s well-known industrial and ' +
    'management ports plus network.extraPorts; the declared ports always): at most network.connectionsPerSecond new ' +
    'connections, each open port only listened to for its greeting, nothing sent. Every open port the profile does ' +
    'not declare fails, named with what it appears to be. A declared port that is not open makes the result ' +
    'inconclusive, because the sweep then may not see the device as it runs.',
  requirements: ['CR 7.7'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'network',
  safety: 'read',
  async run(ctx) {
    const surveyed = await surveyHost(ctx);
    if ('refused' in surveyed) return verdict.inconclusive(surveyed.refused);
    const { survey } = surveyed;
    const open = survey.rows.filter((r) => r.state === 'open');
    const undeclared = open.filter((r) => r.declared === undefined);
    const name = (r: PortRow) => `TCP ${r.port}: ${describeService(survey.identities.get(r.port)!)}`;
    ctx.attach('inventory.json', {
      undeclaredOpen: undeclared.map((r) => ({ port: r.port, appearsToBe: r.appearsToBe, identifiedBy: r.identifiedBy, evidence: r.evidence })),
      declaredNotOpen: survey.declaredNotOpen.map((r) => ({ port: r.port, declared: r.declared, state: r.state, detail: r.detail })),
      declaredOpen: open.filter((r) => r.declared !== undefined).map((r) => ({ port: r.port, declared: r.declared, appearsToBe: r.appearsToBe })),
    });
    ctx.measure('undeclared open ports', undeclared.length);

    // Positive evidence first: an undeclared open port fails whatever else the sweep saw.
    if (undeclared.length > 0) {
      return verdict.fail(
        `${undeclared.length} open port${undeclared.length > 1 ? 's are' : ' is'} not declared in the profile on ${survey.host}: ${nameSome(undeclared.map(name))}.`,
      );
    }
    if (survey.untrustworthy) {
      return verdict.inconclusive(`No undeclared port is open among the ${survey.rows.length} swept, but ${survey.untrustworthy}.`);
    }
    const { closed, filtered } = survey.sweep.counts;
    const rest = closed + filtered > 0 ? `; the other ${closed + filtered} are closed${filtered > 0 ? ` or filtered (${filtered} filtered)` : ''}` : '';
    return verdict.pass(
      `Of ${survey.rows.length} swept ports on ${survey.host}, only the ${open.length} declared are open (${open.map((r) => r.port).join(', ') || 'none'})${rest}.`,
    );
  },
});
