// The reporter multiplexer: every format is a pure function of the report; one broken reporter is logged
// and skipped so it cannot cost the others (report.json is written first, by the caller, regardless).
import type { Report } from '../core/report.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';

export interface Reporter {
  file: string;
  render(report: Report): string;
}

export const REPORTERS: Reporter[] = [
  { file: 'report.json', render: (r) => `${JSON.stringify(r, null, 2)}\n` },
  { file: 'report.md', render: renderMarkdown },
  { file: 'junit.xml', render: renderJunit },
  { file: 'report.sarif', render: renderSarif },
  { file: 'report.html', render: renderHtml },
];

export function writeReports(
  report: Report,
  write: (file: string, content: string) => void,
  onError: (file: string, err: unknown) => void,
  reporters: Reporter[] = REPORTERS,
): string[] {
  const written: string[] = [];
  for (const reporter of reporters) {
    try {
      write(reporter.file, reporter.render(report));
      written.push(reporter.file);
    } catch (err) {
      onError(reporter.file, err);
    }
  }
  return written;
}
