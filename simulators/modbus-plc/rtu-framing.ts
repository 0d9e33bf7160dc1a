// Splitting the byte stream of a serial line into RTU frames, two ways:
//   silence          the serial-line spec: a frame ends when the line stays quiet for the inter-frame gap,
//                    so a frame broken by a long mid-frame pause arrives as two (bad-CRC) fragments;
//   function-length  a legacy slave: a frame is as long as its function code says, whatever the pauses,
//                    so fragments are silently joined (and one stray byte shifts every later frame).
// Pure apart from timers, so it can be driven by any byte source.

import { expectedRtuRequestLength } from '../../src/protocols/modbus/wire.js';

/** Address + PDU + CRC (MODBUS over serial line v1.02, 2.5.1). */
const MAX_RTU_FRAME = 256;
/** Enough bytes for expectedRtuRequestLength to size any function it knows (FC 23 needs 11). */
const LONGEST_LENGTH_HEADER = 11;

export interface RtuFramer {
  push(chunk: Buffer): void;
  stop(): void;
}

export function createRtuFramer(mode: 'silence' | 'function-length', gapMs: number, onFrame: (frame: Buffer) => void): RtuFramer {
  return mode === 'silence' ? new SilenceFramer(gapMs, onFrame) : new FunctionLengthFramer(gapMs, onFrame);
}

/** The inter-frame gap: 3.5 character times (11 bits each), but never below minGapMs (pty timing is coarse). */
export function interFrameGapMs(baudRate: number, minGapMs: number): number {
  return Math.max((3.5 * 11 * 1000) / baudRate, minGapMs);
}

class SilenceFramer implements RtuFramer {
  private parts: Buffer[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly gapMs: number,
    private readonly onFrame: (frame: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.size <= MAX_RTU_FRAME) this.parts.push(chunk); // past the maximum it is noise; keep the memory bounded
    this.size += chunk.length;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.gapMs);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private flush(): void {
    const frame = Buffer.concat(this.parts);
    const tooLong = this.size > MAX_RTU_FRAME;
    this.parts = [];
    this.size = 0;
    if (!tooLong) this.onFrame(frame);
  }
}

class FunctionLengthFramer implements RtuFramer {
  private buffer: Buffer = Buffer.alloc(0);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly gapMs: number,
    private readonly onFrame: (frame: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    clearTimeout(this.timer);
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const length = expectedRtuRequestLength(this.buffer);
      if (length === undefined) break;
      if (this.buffer.length < length) return;
      const frame = this.buffer.subarray(0, length);
      this.buffer = this.buffer.subarray(length);
      this.onFrame(frame);
    }
    // A function it cannot size: the only way back in step is to take what came before a pause as the frame.
    if (this.buffer.length >= 2 && !sizeable(this.buffer)) this.timer = setTimeout(() => this.flushUnsized(), this.gapMs);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private flushUnsized(): void {
    const frame = this.buffer;
    this.buffer = Buffer.alloc(0);
    if (frame.length <= MAX_RTU_FRAME) this.onFrame(frame);
  }
}

/** Whether the function code at buf[1] has a known request length, given enough bytes. */
function sizeable(buf: Buffer): boolean {
  const probe = buf.length >= LONGEST_LENGTH_HEADER ? buf : Buffer.concat([buf, Buffer.alloc(LONGEST_LENGTH_HEADER - buf.length)]);
  return expectedRtuRequestLength(probe) !== undefined;
}
