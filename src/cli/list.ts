// `otconform list`: every check's metadata, straight from the definitions; no device is touched.
import { loadCatalog } from '../catalog/index.js';
import { loadTestCases } from '../core/loader.js';
import { formatTable } from './table.js';

export async function listCommand(opts: { json: boolean }): Promise<void> {
  const checks = await loadTestCases(loadCatalog());
  if (opts.json) {
    const rows = checks.map(({ run: _run, applicable: _a, preconditions: _p, ...meta }) => meta);
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    formatTable(
      ['check', 'protocol', 'safety', 'min SL', 'requirements', 'title'],
      checks.map((c) => [
        c.id,
        c.protocol,
        c.safety + (c.locksAccounts ? ' (locks)' : ''),
        String(c.minSecurityLevel),
        c.requirements.join(', '),
        c.title,
      ]),
    ),
  );
  process.stdout.write(`\n${checks.length} checks\n`);
}
