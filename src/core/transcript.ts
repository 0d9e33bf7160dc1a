// A transcript is the step-by-step record of what a protocol client sent and what the device answered.
// Protocol adapters write to it; the runner stores it as evidence next to the check's result.

export interface TranscriptEntry {
  /** Milliseconds since the transcript started. */
  t: number;
  /** Short event name, e.g. "createSession", "read", "activateSession refused". */
  event: string;
  detail?: Record<string, unknown>;
}

export interface Transcript {
  record(event: string, detail?: Record<string, unknown>): void;
  readonly entries: readonly TranscriptEntry[];
}

export function createTranscript(now: () => number = Date.now): Transcript {
  const start = now();
  const entries: TranscriptEntry[] = [];
  return {
    entries,
    record(event, detail) {
      entries.push(detail === undefined ? { t: now() - start, event } : { t: now() - start, event, detail });
    },
  };
}

/** A transcript that drops everything, for callers that do not keep evidence (simulator self-tests, tools). */
export const nullTranscript: Transcript = { entries: [], record() {} };
