// The ssh client checks receive (skeleton: filled in by the ssh adapter work).
import type { Transcript } from '../../core/transcript.js';
import type { SshService } from '../../profiles/schema.js';

export interface FixtureOptions {
  signal: AbortSignal;
  connectTimeoutMs: number;
}

export class SshFixture {
  constructor(
    readonly service: SshService,
    readonly transcript: Transcript,
    readonly options: FixtureOptions,
  ) {}

  async close(): Promise<void> {}
}
