// Bounding one network step by a deadline and an AbortSignal.
// node-opcua's own timeouts are spread over several options and its retries over several layers,
// so the harness enforces its own limit: whatever node-opcua does, the step ends on time.

export type Bounded<T> =
  | { kind: 'done'; value: T }
  | { kind: 'failed'; error: unknown }
  | { kind: 'timeout' }
  | { kind: 'aborted' };

export async function bounded<T>(work: () => Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<Bounded<T>> {
  if (signal?.aborted) return { kind: 'aborted' };
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limits = new Promise<Bounded<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
    onAbort = () => resolve({ kind: 'aborted' });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const outcome = work().then(
    (value): Bounded<T> => ({ kind: 'done', value }),
    (error: unknown): Bounded<T> => ({ kind: 'failed', error }),
  );
  try {
    return await Promise.race([outcome, limits]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
