// What both network checks share: plan the port set, sweep the host, name the service on every open port,
// and attach the sweep table as evidence.
import type { CheckContext } from '../../src/core/testcase.js';
import type { DeclaredKind, Identification } from '../../src/knowledge/network-knowledge.js';
import { printableGreeting } from '../../src/knowledge/network-knowledge.js';
import type { DeclaredPort } from '../../src/profiles/services.js';
import { modbusPort } from '../../src/profiles/services.js';
import type { PortProbe, SweepResult } from '../../src/protocols/network/fixture.js';
import { PortSetError, planSweepPorts, type PortPlan } from '../../src/protocols/network/port-set.js';

type Ctx = CheckContext<'network'>;

export interface PortRow {
  port: number;
  state: PortProbe['state'];
  connectMs?: number;
  detail?: string;
  /** What the profile says the port is for. */
  declared?: string;
  /** Open ports only. */
  appearsToBe?: string;
  identifiedBy?: Identification['by'];
  evidence?: string;
  product?: string;
  greeting?: string;
  greetingHex?: string;
  peerClosed?: boolean;
}

export interface Survey {
  host: string;
  plan: PortPlan;
  sweep: SweepResult;
  rows: PortRow[];
  /** The service on every open port, by port. */
  identities: Map<number, Identification>;
  declared: DeclaredPort[];
  /** Declared ports that are not open: the sweep may not see the device as it runs. */
  declaredNotOpen: PortRow[];
  /** Why no conclusion may rest on this sweep, or undefined when it may. */
  untrustworthy?: string;
}

const KIND_WORDS = new Set(['opcua', 'modbus', 'ssh', 'https', 'tls']);

/** The declared kind of a port: the service kinds the profile declares, or undefined for declaredOther's free text. */
function declaredKind(ctx: Ctx, d: DeclaredPort): DeclaredKind | undefined {
  const word = d.service.split(' ')[0] ?? '';
  if (!KIND_WORDS.has(word)) return undefined;
  if (word === 'modbus') {
    const secure = ctx.profile.services.modbus.some((m) => m.tls && m.host === ctx.service.host && modbusPort(m) === d.port);
    return secure ? 'modbus-tls' : 'modbus';
  }
  return word as DeclaredKind;
}

export function describeService(id: Identification): string {
  const name = id.service ? (id.by === 'port-number' ? `probably ${id.service.name}` : id.service.name) : 'unidentified';
  return `${name} (${id.evidence})`;
}

/** Sweeps the host; refused is set when the port set cannot be built (the check is then inconclusive). */
export async function surveyHost(ctx: Ctx): Promise<{ survey: Survey } | { refused: string }> {
  const { service, kb } = ctx;
  const declared = service.declared;
  let plan: PortPlan;
  try {
    plan = planSweepPorts({ settings: service.settings, declared: declared.map((d) => d.port), wellKnown: kb.network.wellKnownTcpPorts() });
  } catch (err) {
    if (err instanceof PortSetError) return { refused: `The sweep was not run: ${err.message}.` };
    throw err;
  }
  if (plan.ports.length === 0) return { refused: 'The sweep was not run: network.ports is empty and the profile declares no port on this host.' };
  const rate = service.settings.connectionsPerSecond;
  // A sweep the check's timeout would cut short ends in a bare timeout; say why before starting instead.
  const expectedMs = (plan.ports.length / rate) * 1000 + service.settings.connectTimeoutMs + 2 * ctx.client.listenMs;
  const budgetMs = ctx.profile.timeouts.checkMs;
  if (expectedMs > 0.9 * budgetMs) {
    return {
      refused: `The sweep was not run: ${plan.ports.length} ports at ${rate}/s would take about ${Math.ceil(expectedMs / 1000)} s, longer than the check may run (timeouts.checkMs ${budgetMs} ms); narrow the port set, or raise the rate or the timeout deliberately.`,
    };
  }
  ctx.measure('ports swept', plan.ports.length);

  const sweep = await ctx.step(`connect sweep of ${plan.ports.length} ports on ${service.host} at ≤ ${rate}/s`, () =>
    ctx.client.sweep(plan.ports),
  );
  const byPort = new Map(declared.map((d) => [d.port, d]));
  const identities = new Map<number, Identification>();
  const rows: PortRow[] = sweep.ports.map((p) => {
    const d = byPort.get(p.port);
    const row: PortRow = {
      port: p.port,
      state: p.state,
      ...(p.connectMs !== undefined ? { connectMs: p.connectMs } : {}),
      ...(p.detail ? { detail: p.detail } : {}),
      ...(d ? { declared: d.service } : {}),
    };
    if (p.state !== 'open') return row;
    const kind = d ? declaredKind(ctx, d) : undefined;
    const id = kb.network.identify({
      port: p.port,
      ...(p.greeting ? { greeting: p.greeting } : {}),
      ...(d ? { declared: { ...(kind ? { kind } : {}), label: d.service } } : {}),
    });
    identities.set(p.port, id);
    return {
      ...row,
      appearsToBe: id.service ? id.service.name : 'unidentified',
      identifiedBy: id.by,
      evidence: id.evidence,
      ...(id.product ? { product: id.product } : {}),
      ...(p.greeting?.length ? { greeting: printableGreeting(p.greeting, 512), greetingHex: p.greeting.subarray(0, 512).toString('hex') } : {}),
      ...(p.peerClosed ? { peerClosed: true } : {}),
    };
  });
  ctx.attach('sweep.json', {
    host: sweep.host,
    address: sweep.address,
    portSet: plan.origin === 'profile' ? 'network.ports plus the declared ports' : 'well-known ports plus network.extraPorts plus the declared ports',
    connectionsPerSecond: rate,
    connectTimeoutMs: service.settings.connectTimeoutMs,
    listenMs: ctx.client.listenMs,
    concurrency: sweep.concurrency,
    achievedRate: sweep.achievedRate,
    durationMs: sweep.durationMs,
    counts: sweep.counts,
    ports: rows,
  });
  ctx.attach('sweep.txt', sweepTable(rows));
  ctx.measure('open ports', sweep.counts.open);
  ctx.measure('closed ports', sweep.counts.closed);
  ctx.measure('filtered ports', sweep.counts.filtered);
  ctx.measure('sweep duration', sweep.durationMs, 'ms');
  ctx.measure('sweep rate', sweep.achievedRate, 'connections/s');
  const openPorts = rows.filter((r) => r.state === 'open');
  for (const r of openPorts) if (r.product) ctx.observeDevice({ [`service ${r.port}`]: `${r.appearsToBe} ${r.product}` });

  const declaredNotOpen = rows.filter((r) => r.declared !== undefined && r.state !== 'open');
  const answered = sweep.counts.open + sweep.counts.closed;
  let untrustworthy: string | undefined;
  if (declaredNotOpen.length > 0) {
    untrustworthy = `declared port${declaredNotOpen.length > 1 ? 's' : ''} ${declaredNotOpen.map((r) => `${r.port} (${r.declared}: ${r.state}${r.detail ? `, ${r.detail}` : ''})`).join(', ')} ${declaredNotOpen.length > 1 ? 'are' : 'is'} not open, so the sweep may not see the device as it runs in operation (wrong host, a service stopped, or a firewall in between)`;
  } else if (answered === 0) {
    untrustworthy = `no swept port answered at all (${sweep.counts.filtered} filtered, ${sweep.counts.error} local errors), so nothing can be said about what listens`;
  } else if (sweep.counts.error > 0) {
    untrustworthy = `${sweep.counts.error} port(s) could not be tried because of local errors (${[...new Set(rows.filter((r) => r.state === 'error').map((r) => r.detail))].join(', ')})`;
  }
  return { survey: { host: sweep.host, plan, sweep, rows, identities, declared, declaredNotOpen, ...(untrustworthy ? { untrustworthy } : {}) } };
}

function sweepTable(rows: readonly PortRow[]): string {
  const header = ['port', 'state', 'ms', 'declared as', 'appears to be', 'identified by', 'greeting'];
  const lines = rows.map((r) => [
    String(r.port),
    r.state,
    r.connectMs === undefined ? '' : String(r.connectMs),
    r.declared ?? '',
    r.appearsToBe ?? (r.detail ?? ''),
    r.identifiedBy ?? '',
    r.greeting ? r.greeting.slice(0, 60) : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n') + '\n';
}
