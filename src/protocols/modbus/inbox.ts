// Bytes the device sent that no request claimed (answers to raw probes, late or stray frames), kept for
// collect(). Bounded, because a misbehaving device can stream without end.
const MAX_KEPT = 1 << 20;

export class Inbox {
  private chunks: Buffer[] = [];
  private size = 0;
  private ended = false;
  private readonly waiters = new Set<() => void>();

  get closed(): boolean {
    return this.ended;
  }

  push(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.size += bytes.length;
    // Keep the newest bytes: the oldest are the least likely to be what a probe waits for.
    while (this.size > MAX_KEPT && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
    this.wake();
  }

  markClosed(): void {
    this.ended = true;
    this.wake();
  }

  /** Everything kept so far, and what arrives within timeoutMs; returns early when the link closes. */
  async collect(timeoutMs: number, signal?: AbortSignal): Promise<{ bytes: Buffer; closed: boolean }> {
    if (!this.ended && timeoutMs > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(check);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const check = () => {
          if (this.ended) done();
        };
        const timer = setTimeout(done, timeoutMs);
        this.waiters.add(check);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    const bytes = Buffer.concat(this.chunks);
    this.chunks = [];
    this.size = 0;
    return { bytes, closed: this.ended };
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
