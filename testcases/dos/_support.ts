// What every DoS check shares: which service it loads, the monitor thresholds from the profile, the stepped
// run, the evidence it keeps and the verdict it draws from the measured numbers.
import type { CheckContext, CheckOutcome, PlanContext } from '../../src/core/testcase.js';
import { verdict } from '../../src/core/testcase.js';
import type { Protocol } from '../../src/core/outcomes.js';
import { runSteppedLoad, type StepThresholds } from '../../src/load/stepped.js';
import type { Profile } from '../../src/profiles/schema.js';

export const NO_MONITOR =
  'the profile declares no essentialFunctions, so nothing would show whether the device kept its control function under load';

export function needsEssentialFunction<P extends Protocol>(ctx: PlanContext<P>): string | undefined {
  return ctx.profile.essentialFunctions.length === 0 ? NO_MONITOR : undefined;
}

/** The Modbus DoS checks load one TCP service per device: the first plain one, else the first TLS one. */
export function loadedModbusService({ profile, service }: PlanContext<'modbus'>): true | string {
  const tcp = profile.services.modbus.filter((s) => s.host !== undefined);
  const chosen = tcp.find((s) => !s.tls) ?? tcp[0];
  if (service.serial) return 'load checks run over Modbus TCP, not a serial line';
  return service === chosen ? true : `load checks run once per device, on ${chosen?.name ?? 'its first Modbus TCP service'}`;
}

/** The OPC UA DoS checks load the device's first OPC UA endpoint. */
export function loadedOpcuaService({ profile, service }: PlanContext<'opcua'>): true | string {
  const first = profile.services.opcua[0];
  return service === first ? true : `load checks run once per device, on ${first?.name ?? first?.endpointUrl}`;
}

export function thresholds(profile: Profile, toleranceMs: number | undefined): StepThresholds {
  const dos = profile.safety.dos;
  const fallback = toleranceMs ?? 1000;
  return { maxGapMs: dos.maxGapMs ?? 2 * fallback, maxRecoveryMs: dos.maxRecoveryMs, maxMonitorLatencyMs: dos.maxMonitorLatencyMs };
}

export interface DosPlan<G> {
  /** e.g. "request flood" */
  load: string;
  steps: { label: string; run: (signal: AbortSignal) => Promise<G> }[];
  /** The numbers of one step worth showing beside the verdict, e.g. { sustained: [812, 'req/s'] }. */
  headline: (g: G) => Record<string, [number, string]>;
  serviceAnswers: () => Promise<string | undefined>;
}

export async function runDosCheck<P extends Protocol, G>(ctx: CheckContext<P>, plan: DosPlan<G>): Promise<CheckOutcome> {
  const watch = await ctx.step('start the essential-function monitor', () => ctx.watchEssentialFunction());
  if (!watch) return verdict.inconclusive(`No monitor: ${NO_MONITOR}.`);
  const limits = thresholds(ctx.profile, watch.toleranceMs);
  const result = await ctx.step(`${plan.load} in ${plan.steps.length} step(s)`, () =>
    runSteppedLoad({
      watch,
      baselineMs: Math.max(1000, 2 * (watch.toleranceMs ?? 500)),
      steps: plan.steps,
      thresholds: limits,
      serviceAnswers: plan.serviceAnswers,
      signal: ctx.signal,
      sleep: ctx.sleep,
    }),
  );
  ctx.attach('load-steps.json', { essentialFunction: watch.describe, thresholds: limits, ...result });
  ctx.attach('monitor-samples.json', watch.samples());
  ctx.measure('baseline.longestGapMs', result.baseline.longestGapMs, 'ms');
  if (result.baselineWaitMs > 0) ctx.measure('baseline.waitedForHealthyMs', result.baselineWaitMs, 'ms');
  for (const [i, step] of result.steps.entries()) {
    const prefix = `step${i + 1} ${step.label}`;
    for (const [name, [value, unit]] of Object.entries(plan.headline(step.load))) ctx.measure(`${prefix}.${name}`, value, unit);
    ctx.measure(`${prefix}.longestGapMs`, step.monitor.longestGapMs, 'ms');
    ctx.measure(`${prefix}.monitorP95Ms`, step.monitor.latencyMs.p95, 'ms');
    ctx.measure(`${prefix}.recoveryMs`, step.recoveryMs ?? 'not recovered', step.recoveryMs === undefined ? undefined : 'ms');
  }
  if (result.unhealthyBaseline) {
    return verdict.inconclusive(`The essential function was not healthy before the ${plan.load}: ${result.unhealthyBaseline}.`);
  }
  const failed = result.steps.find((s) => s.problems.length > 0);
  if (failed) {
    return verdict.fail(`Under the ${plan.load} at ${failed.label}, ${failed.problems.join('; ')} (${watch.name}).`);
  }
  if (result.steps.length < plan.steps.length) {
    return verdict.inconclusive(`The ${plan.load} stopped after ${result.steps.length} of ${plan.steps.length} steps.`);
  }
  const worstGap = Math.max(...result.steps.map((s) => s.monitor.longestGapMs));
  const worstRecovery = Math.max(...result.steps.map((s) => s.recoveryMs ?? 0));
  const last = result.steps[result.steps.length - 1]!;
  return verdict.pass(
    `${watch.name} stayed healthy through the ${plan.load} up to ${last.label}: longest gap ${worstGap} ms ` +
      `(tolerated ${limits.maxGapMs} ms), recovery within ${worstRecovery} ms.`,
  );
}

/** A fresh Modbus request after a load step: the service must answer a new connection again. */
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

/** A fresh GetEndpoints after a load step: the OPC UA server must answer a new connection again. */
export async function opcuaServiceAnswers(ctx: CheckContext<'opcua'>): Promise<string | undefined> {
  try {
    await ctx.client.endpoints();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
