// The https client checks receive (skeleton: filled in by the https adapter work).
import type { Transcript } from '../../core/transcript.js';
import type { HttpsService } from '../../profiles/schema.js';

export interface FixtureOptions {
  signal: AbortSignal;
  connectTimeoutMs: number;
}

export class HttpsFixture {
  constructor(
    readonly service: HttpsService,
    readonly transcript: Transcript,
    readonly options: FixtureOptions,
  ) {}

  async close(): Promise<void> {}
}
