// Tries one secure channel with a policy this Node.js refuses to speak (RSA PKCS#1 v1.5, CVE-2023-46809),
// in a child process started with --security-revert=CVE-2023-46809. Only that short-lived child runs with
// the revert, so the harness itself never decrypts PKCS#1 v1.5, yet the report can say whether the device
// actually accepts the policy instead of only "advertised".
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Transcript, TranscriptEntry } from '../../core/transcript.js';
import type { ClientIdentity } from './client-identity.js';
import type { SessionAttempt } from './refusal.js';

export interface LegacyProbeRequest {
  endpointUrl: string;
  connectTimeoutMs: number;
  pkiDir: string;
  securityPolicy: string;
  securityMode: 'Sign' | 'SignAndEncrypt';
  clientIdentity: ClientIdentity;
}

const PROBE_ENTRY = fileURLToPath(new URL('./legacy-channel-probe-child.ts', import.meta.url));
// node-opcua's import, key handling and one channel: generous, but bounded.
const CHILD_BUDGET_MS = 30_000;

export function probeInRevertedChild(req: LegacyProbeRequest, transcript: Transcript, signal?: AbortSignal): Promise<SessionAttempt> {
  transcript.record('legacy probe', { securityPolicy: req.securityPolicy, via: 'child node --security-revert=CVE-2023-46809' });
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--security-revert=CVE-2023-46809', '--import', import.meta.resolve('tsx'), PROBE_ENTRY, JSON.stringify(req)],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODEOPCUA_LOG_LEVEL: '0' } },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const finish = (attempt: SessionAttempt) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(attempt);
    };
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_BUDGET_MS);
    child.once('close', (code) => {
      try {
        // Node prints its "SECURITY WARNING" about the revert on stdout first; the answer is the last line.
        const answer = stdout.trim().split('\n').pop() ?? '';
        const out = JSON.parse(answer) as { attempt: SessionAttempt; entries: TranscriptEntry[] };
        for (const e of out.entries) transcript.record(`legacy probe: ${e.event}`, e.detail);
        finish(out.attempt);
      } catch {
        const why = signal?.aborted ? 'aborted' : `the probe process ended with code ${code} and no answer`;
        transcript.record('legacy probe failed', { why });
        finish({ ok: false, statusCode: 'ClientCannotNegotiate', message: `legacy probe: ${why}` });
      }
    });
  });
}
