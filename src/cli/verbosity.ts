import type { Verbosity } from '../core/logging.js';

export function verbosityOf(flags: { verbose?: boolean; quiet?: boolean }): Verbosity {
  return flags.verbose ? 'verbose' : flags.quiet ? 'quiet' : 'normal';
}
