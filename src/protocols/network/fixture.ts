// The network client checks receive (skeleton: filled in by the network adapter work).
import type { Transcript } from '../../core/transcript.js';
import type { NetworkTarget } from '../../profiles/services.js';

export interface FixtureOptions {
  signal: AbortSignal;
  connectTimeoutMs: number;
}

export class NetworkFixture {
  constructor(
    readonly service: NetworkTarget,
    readonly transcript: Transcript,
    readonly options: FixtureOptions,
  ) {}

  async close(): Promise<void> {}
}
