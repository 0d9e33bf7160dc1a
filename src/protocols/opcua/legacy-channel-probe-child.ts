// The child side of legacy-channel-probe.ts: one tryChannel, its answer and transcript as JSON on stdout.
import { createTranscript } from '../../core/transcript.js';
import { OpcuaClientFixture } from './client-fixture.js';
import type { LegacyProbeRequest } from './legacy-channel-probe.js';

const req = JSON.parse(process.argv[2] ?? '{}') as LegacyProbeRequest;
const transcript = createTranscript();
const fixture = new OpcuaClientFixture({ endpointUrl: req.endpointUrl, connectTimeoutMs: req.connectTimeoutMs }, transcript, {
  pkiDir: req.pkiDir,
  clientIdentity: req.clientIdentity,
  legacyProbe: false,
});
const attempt = await fixture.tryChannel({
  securityPolicy: req.securityPolicy,
  securityMode: req.securityMode,
  clientIdentity: req.clientIdentity,
});
await fixture.close();
process.stdout.write(`\n${JSON.stringify({ attempt, entries: transcript.entries })}\n`, () => process.exit(0));
