// The check API. A check is a declarative object: its metadata can be listed, validated and planned
// without touching a device; only run() talks to it, through the protocol fixture the runner hands in.
import type { Logger } from 'pino';
import type { Finding, KnowledgeBase } from '../knowledge/index.js';
import type { Credential, Profile } from '../profiles/schema.js';
import type { ServiceTargets } from '../profiles/services.js';
import type { ProtocolFixtures } from '../protocols/fixtures.js';
import type { EssentialFunctionWatch } from './monitoring.js';
import type { ComponentType, Protocol, SafetyClass, SecurityLevel } from './outcomes.js';

/** One target of the device, e.g. the first OPC UA endpoint or one of its TLS endpoints. */
export type ServiceOf<P extends Protocol> = ServiceTargets[P];

/** What a check's run() returns. skipped and waived are decided by the runner, never by a check. */
export interface CheckOutcome {
  verdict: 'pass' | 'fail' | 'error' | 'not-applicable';
  /** One sentence a reader understands without the evidence. */
  reason: string;
  findings?: Finding[];
}

export const verdict = {
  pass: (reason: string, findings?: Finding[]): CheckOutcome => ({ verdict: 'pass', reason, findings }),
  fail: (reason: string, findings?: Finding[]): CheckOutcome => ({ verdict: 'fail', reason, findings }),
  /** The device's behaviour did not allow a conclusion; the requirement becomes inconclusive, never pass. */
  inconclusive: (reason: string, findings?: Finding[]): CheckOutcome => ({ verdict: 'error', reason, findings }),
  notApplicable: (reason: string): CheckOutcome => ({ verdict: 'not-applicable', reason }),
};

export interface Measurement {
  value: number | string | boolean;
  unit?: string;
}

export interface PlanContext<P extends Protocol> {
  profile: Profile;
  service: ServiceOf<P>;
}

export interface CheckContext<P extends Protocol> extends PlanContext<P> {
  /** The protocol client for this service; the runner opens it lazily and closes it after the check. */
  client: ProtocolFixtures[P];
  targetSecurityLevel: SecurityLevel;
  kb: KnowledgeBase;
  signal: AbortSignal;
  log: Logger;
  /** Runs one named step and records its timing and outcome in the check's evidence. */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Stores an artifact under evidence/<check>/; objects are written as JSON. Secrets are scrubbed. */
  attach(name: string, content: string | Buffer | object): void;
  /** Records a number (or fact) the report shows beside the verdict, e.g. attempts until lockout. */
  measure(name: string, value: Measurement['value'], unit?: string): void;
  /** Adds what the device says about itself to the report's observed identity. */
  observeDevice(facts: Record<string, string | undefined>): void;
  /** Waits, but returns early (rejecting) when the run is aborted. */
  sleep(ms: number): Promise<void>;
  /** Waits as long as the profile's login rate limit requires before the next attempt. */
  paceLogin(): Promise<void>;
  /**
   * Starts the essential-function monitor on the profile's first essential function (its own connection).
   * Undefined when the profile declares none. The runner stops it when the check ends.
   */
  watchEssentialFunction(): Promise<EssentialFunctionWatch | undefined>;
  /** The first credential with this role that exists for this protocol. */
  credentialFor(role: Credential['role'] | Credential['role'][]): Credential | undefined;
}

export interface TestCaseDefinition<P extends Protocol> {
  /** Stable id; equals the file name in testcases/. */
  id: string;
  title: string;
  /** What the check does and what it expects, in two or three sentences. */
  description: string;
  /** Catalog ids, e.g. 'CR 1.1'; validated against the catalog at load time. */
  requirements: string[];
  minSecurityLevel: SecurityLevel;
  componentTypes: ComponentType[] | 'all';
  protocol: P;
  safety: SafetyClass;
  /** Can leave an account locked: runs after every other check, on the profile's lockout account only. */
  locksAccounts?: boolean;
  /** Overrides the profile's per-check timeout; a function when the check waits as long as the profile says (an idle limit). */
  timeoutMs?: number | ((profile: Profile) => number);
  /** true, or why the check does not apply to this device (→ not-applicable). */
  applicable?: (ctx: PlanContext<P>) => true | string;
  /** undefined, or what the profile lacks for the check to run (→ skipped). */
  preconditions?: (ctx: PlanContext<P>) => string | undefined;
  run(ctx: CheckContext<P>): Promise<CheckOutcome>;
}

/** A loaded check; the protocol parameter is erased so checks of every protocol share one list. */
export type TestCase = TestCaseDefinition<Protocol> & { file?: string };

export function defineTestCase<P extends Protocol>(definition: TestCaseDefinition<P>): TestCaseDefinition<P> {
  return definition;
}
