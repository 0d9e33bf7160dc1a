// The fixture's share of a check's transcript: every exchange in brief, bounded so a flood of requests
// cannot swamp the evidence. After the limit, entries are only counted; flush() writes "… N more" once.
import type { Transcript } from '../../core/transcript.js';

export const DEFAULT_LOG_LIMIT = 500;
/** Bytes of a frame shown in an entry; longer frames are cut and say by how much. */
export const HEX_BYTES = 64;

export interface WireLog {
  record(event: string, detail?: Record<string, unknown>): void;
  /** Writes the "… N more" entry for what was dropped since the last flush. */
  flush(): void;
}

export function boundedLog(transcript: Transcript, limit = DEFAULT_LOG_LIMIT): WireLog {
  let written = 0;
  let dropped = 0;
  return {
    record(event, detail) {
      if (written >= limit) {
        dropped++;
        return;
      }
      written++;
      transcript.record(event, detail);
    },
    flush() {
      if (dropped === 0) return;
      transcript.record(`… ${dropped} more`, { note: `Modbus entries after the first ${limit} were not recorded` });
      dropped = 0;
    },
  };
}

/** Hex of at most HEX_BYTES bytes, e.g. "0103000a0001" or "0103…(+190 bytes)". */
export function hex(bytes: Buffer, max = HEX_BYTES): string {
  if (bytes.length <= max) return bytes.toString('hex');
  return `${bytes.subarray(0, max).toString('hex')}…(+${bytes.length - max} bytes)`;
}

/** Latency rounded to 0.1 ms, for transcripts. */
export function ms(start: number, end = performance.now()): number {
  return Math.round((end - start) * 10) / 10;
}
