// Errors that carry their exit code and a message fit for a user, so the CLI never prints a stack trace for them.
import { EXIT } from './outcomes.js';

export class HarnessError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** Extra lines (one problem each) shown under the message. */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad command line, bad profile, bad check definition: exit 2. */
export class UsageError extends HarnessError {
  constructor(message: string, details: readonly string[] = []) {
    super(message, EXIT.usage, details);
  }
}

/** The device (or one of its declared services) cannot be reached: exit 3. */
export class UnreachableError extends HarnessError {
  constructor(message: string, details: readonly string[] = []) {
    super(message, EXIT.unreachable, details);
  }
}

/** An error's first line, without a closing full stop, for one-sentence reasons and evidence. */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? '').trim().replace(/\.$/, '');
}
