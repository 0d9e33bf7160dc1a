// The essential-function monitor: watches a heartbeat or a process value over its own connection while
// a disruptive check loads the device. The protocol drivers hand in how to read a value.
import type { EssentialFunctionWatch } from '../core/monitoring.js';
import type { EssentialFunction, Profile } from '../profiles/schema.js';

/** Reads one numeric value; each read is a fresh request over a connection the source keeps open. */
export interface ValueReader {
  read(): Promise<number>;
  close(): Promise<void>;
}

export interface MonitorSources {
  /** Opens a reader for the function's modbus or opcua target. */
  open(fn: EssentialFunction, profile: Profile): Promise<ValueReader>;
}

export async function watchEssentialFunction(
  fn: EssentialFunction,
  profile: Profile,
  sources: MonitorSources,
  signal: AbortSignal,
): Promise<EssentialFunctionWatch> {
  void fn;
  void profile;
  void sources;
  void signal;
  throw new Error('not implemented yet');
}
