// Ctrl-C handling: the first one stops the run cleanly (the report of what finished is still written),
// a second one quits at once.
import { EXIT } from '../core/outcomes.js';

export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write('\notconform: stopped at once; the report may be incomplete\n');
      process.exit(EXIT.interrupted);
    }
    process.stderr.write(`\notconform: ${name} received, stopping; the report of what finished will be written (press Ctrl-C again to quit now)\n`);
    controller.abort(new Error(`interrupted by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
