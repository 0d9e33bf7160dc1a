// Comparing two runs of the same device (firmware build N and N+1), optionally against an accepted baseline.
import { EXIT } from '../core/outcomes.js';
import type { RunDiff } from './types.js';

export { diffRuns, type DiffInput, type RunInput } from './diff-reports.js';
export { checkSchemaVersions, loadRun, type LoadedRun } from './load-run.js';
export { renderMarkdown } from './render-markdown.js';
export { renderText } from './render-text.js';
export * from './types.js';

/** 1 (like a run with a failed requirement) when something newly fails or is newly inconclusive, else 0. */
export function diffExitCode(d: RunDiff): number {
  return d.regression ? EXIT.requirementFailed : EXIT.ok;
}

/** The JSON rendering: the RunDiff object itself, two-space indented (its shape is documented in types.ts). */
export function renderJson(d: RunDiff): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
