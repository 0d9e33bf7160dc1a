// The journal: one JSON line per event, appended the moment it happens, so a crash or Ctrl-C loses nothing
// that had finished.
import type { RunDirectory } from './run-directory.js';

export const JOURNAL_PATH = 'journal.jsonl';

export type JournalEvent =
  | { type: 'run-start'; at: string; runId: string; targetSecurityLevel: number; checks: number }
  | { type: 'check'; at: string; result: unknown }
  | { type: 'run-end'; at: string; interrupted: boolean };

export class Journal {
  constructor(private readonly dir: RunDirectory) {}

  append(event: JournalEvent): void {
    this.dir.appendLine(JOURNAL_PATH, JSON.stringify(event));
  }
}
