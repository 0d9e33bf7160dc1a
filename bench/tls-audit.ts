// Benchmark: the full TLS audit of one endpoint (versions, suites per version, groups, certificate: everything
// the four TLS checks scan) against testssl.sh -p -E -S on the same endpoint, for a weak and a hardened
// node:tls server. testssl is optional; without it only our times are reported.
// Run alone: npx tsx bench/tls-audit.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { findTestssl, fromAudit, fromTestssl, runTestssl } from '../test/helpers/testssl.js';
import { startReferenceTlsServer } from '../test/helpers/tls-servers.js';

export interface TlsAuditBenchRow {
  label: string;
  oursMs: number;
  testsslMs?: number;
  /** testssl's time divided by ours. */
  ratio?: number;
  /** Whether both report the same versions, suites per version and certificate facts. */
  agree?: boolean;
}

export async function benchTlsAudit(): Promise<TlsAuditBenchRow[]> {
  const testssl = findTestssl();
  const dir = mkdtempSync(join(tmpdir(), 'otconform-bench-tls-'));
  const rows: TlsAuditBenchRow[] = [];
  try {
    for (const preset of ['weak', 'hardened'] as const) {
      const server = await startReferenceTlsServer(preset);
      try {
        const caFile = preset === 'hardened' ? server.caFile : undefined;
        const ours = await fromAudit(server, { groups: true, ...(caFile ? { caFile } : {}) });
        const label = `${preset} node:tls server, full audit (${ours.connections} connections)`;
        if (!testssl) {
          rows.push({ label, oursMs: ours.ms });
          continue;
        }
        // One after the other, so neither slows the other down.
        const theirs = await runTestssl(testssl, `127.0.0.1:${server.port}`, caFile ? ['--add-ca', caFile] : [], dir);
        const expected = fromTestssl(theirs.entries);
        const agree = isDeepStrictEqual(ours.result, expected);
        rows.push({ label, oursMs: ours.ms, testsslMs: theirs.ms, ratio: Math.round(theirs.ms / ours.ms), agree });
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await benchTlsAudit()) {
    const theirs = r.testsslMs === undefined ? 'testssl not installed' : `testssl ${(r.testsslMs / 1000).toFixed(1)} s (${r.ratio}x), agree: ${r.agree}`;
    process.stdout.write(`${r.label}: ours ${r.oursMs} ms; ${theirs}\n`);
  }
}
