// The tls client checks receive (skeleton: filled in by the tls adapter work).
import type { Transcript } from '../../core/transcript.js';
import type { TlsTarget } from '../../profiles/services.js';

export interface FixtureOptions {
  signal: AbortSignal;
  connectTimeoutMs: number;
}

export class TlsAuditFixture {
  constructor(
    readonly service: TlsTarget,
    readonly transcript: Transcript,
    readonly options: FixtureOptions,
  ) {}

  async close(): Promise<void> {}
}
