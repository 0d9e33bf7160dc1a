// Spaces the starts of new connections: each start comes at least one interval after the previous one
// actually started (timers fire late, never early), however many workers ask at once, and a stall never
// turns into a catch-up burst. So no second ever sees more new connections than the limit.

export interface StartPacer {
  /** Resolves when the next connection may start; rejects with the signal's reason on abort. */
  next(): Promise<void>;
  /** How many starts were granted, and when the first and the last were. */
  readonly granted: number;
  readonly firstAt: number | undefined;
  readonly lastAt: number | undefined;
}

export function createStartPacer(perSecond: number, signal: AbortSignal, now: () => number = () => performance.now()): StartPacer {
  const interval = 1000 / perSecond;
  let first: number | undefined;
  let last: number | undefined;
  let granted = 0;
  // Grants are handed out one after the other: each waits for the previous one to have fired.
  let tail: Promise<void> = Promise.resolve();

  const waitTurn = () =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const target = last === undefined ? now() : last + interval;
      let timer: NodeJS.Timeout | undefined;
      let immediate: NodeJS.Immediate | undefined;
      const onAbort = () => {
        clearTimeout(timer);
        clearImmediate(immediate);
        reject(signal.reason);
      };
      // Node starts a timer from its cached loop time, so it can fire a little early: check, and re-arm.
      // Timers count whole milliseconds; the last fraction is waited out on the next loop turns.
      const arm = () => {
        const wait = target - now();
        if (wait >= 1) {
          timer = setTimeout(arm, Math.floor(wait));
          return;
        }
        if (wait > 0) {
          immediate = setImmediate(arm);
          return;
        }
        signal.removeEventListener('abort', onAbort);
        last = now();
        first ??= last;
        granted++;
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      arm();
    });

  return {
    get granted() {
      return granted;
    },
    get firstAt() {
      return first;
    },
    get lastAt() {
      return last;
    },
    next() {
      const turn = tail.then(waitTurn);
      // The next caller queues behind this one whether it succeeds or is aborted.
      tail = turn.catch(() => undefined);
      return turn;
    },
  };
}
