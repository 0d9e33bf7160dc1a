// The OPC UA login oracle: user-name session attempts on one endpoint, answered as accepted, refused or error.
// Only the server's own access-denied answers count as refusals; a session that opens is closed at once.
//
// The attempts share one secure channel and time CreateSession + ActivateSession only. A fresh channel per
// attempt (what OpcuaClientFixture.openSession does) adds an asymmetric handshake, a certificate store and a
// socket to every sample: measured on the simulator that spreads the times by about 100 ms and hides a
// 40 ms difference between an unknown user and a wrong password, which one channel shows clearly.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { OPCUACertificateManager, OPCUAClient, UserTokenType, type ClientSession } from 'node-opcua';
import type { Transcript } from '../../core/transcript.js';
import type { LoginAttemptResult, LoginOracle } from '../../login/oracle.js';
import { bounded } from './bounded.js';
import type { ClientIdentity } from './client-identity.js';
import type { EndpointInfo, OpcuaClientFixture } from './client-fixture.js';
import { refusalFromError } from './refusal.js';
import { toMessageSecurityMode, toSecurityPolicy } from './security-names.js';

/** ActivateSession answers that mean "the server decided not to let this user in". */
const ACCESS_DENIED = new Set(['BadUserAccessDenied', 'BadIdentityTokenRejected', 'BadIdentityTokenInvalid']);

export type LoginEndpoint = Pick<EndpointInfo, 'securityPolicy' | 'securityMode'>;

export interface OpcuaLoginChannelSettings {
  endpointUrl: string;
  /** Bounds every network step. */
  connectTimeoutMs: number;
  /** A scratch folder for the channel's certificate store. */
  pkiDir: string;
  /** The application certificate the device trusts for otconform. */
  identity: () => Promise<ClientIdentity>;
  transcript: Transcript;
  signal?: AbortSignal;
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

/** Session attempts over one secure channel, reopened when it is lost. */
export function opcuaChannelLoginOracle(s: OpcuaLoginChannelSettings, endpoint: LoginEndpoint): LoginOracle {
  let client: OPCUAClient | undefined;
  let channels = 0;

  const drop = async () => {
    const c = client;
    client = undefined;
    if (c) await bounded(() => c.disconnect(), s.connectTimeoutMs);
  };

  /** The open channel, or why there is none. */
  const channel = async (signal?: AbortSignal): Promise<{ client: OPCUAClient } | { failure: LoginAttemptResult }> => {
    if (client) return { client };
    const identity = await s.identity();
    const rootFolder = join(s.pkiDir, `login-channel-${++channels}`);
    await mkdir(rootFolder, { recursive: true });
    const c = OPCUAClient.create({
      applicationName: 'otconform',
      applicationUri: identity.applicationUri,
      clientCertificateManager: new OPCUACertificateManager({
        rootFolder,
        // The harness judges the device certificate elsewhere; refusing it here would hide the device.
        automaticallyAcceptUnknownCertificate: true,
        disableFileWatchers: true,
      }),
      certificateFile: identity.certificateFile,
      privateKeyFile: identity.privateKeyFile,
      securityPolicy: toSecurityPolicy(endpoint.securityPolicy),
      securityMode: toMessageSecurityMode(endpoint.securityMode),
      endpointMustExist: false,
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
      transportTimeout: s.connectTimeoutMs,
      defaultTransactionTimeout: s.connectTimeoutMs,
      keepSessionAlive: false,
      requestedSessionTimeout: 60_000,
    });
    const connected = await bounded(() => c.connect(s.endpointUrl), s.connectTimeoutMs, signal);
    if (connected.kind === 'done') {
      s.transcript.record('login channel opened', { securityPolicy: endpoint.securityPolicy, securityMode: endpoint.securityMode });
      client = c;
      return { client: c };
    }
    await bounded(() => c.disconnect(), s.connectTimeoutMs);
    if (connected.kind === 'aborted') throw abortError();
    const why = connected.kind === 'failed' ? refusalFromError(connected.error) : { statusCode: 'Timeout', message: `no channel within ${s.connectTimeoutMs} ms` };
    return { failure: { outcome: 'error', answer: `channel ${why.statusCode ?? 'failed'}`, elapsedMs: 0, ...(why.message ? { detail: why.message } : {}) } };
  };

  return {
    label: `${s.endpointUrl} (${endpoint.securityPolicy}/${endpoint.securityMode})`,
    // node-opcua's client offers no local address to bind to.
    sourceAddressSupported: false,
    async attempt(username, password, options = {}): Promise<LoginAttemptResult> {
      const signal = options.signal ?? s.signal;
      if (signal?.aborted) throw abortError();
      if (options.sourceAddress) {
        return { outcome: 'error', answer: 'source address not supported', elapsedMs: 0, detail: 'the OPC UA client cannot choose its source address' };
      }
      const open = await channel(signal);
      if ('failure' in open) return open.failure;
      const c = open.client;
      const start = performance.now();
      const r = await bounded(
        () => c.createSession({ type: UserTokenType.UserName, userName: username, password }),
        s.connectTimeoutMs,
        signal,
      );
      const elapsedMs = round1(performance.now() - start);
      if (r.kind === 'aborted') {
        await drop();
        throw abortError();
      }
      let result: LoginAttemptResult;
      if (r.kind === 'done') {
        await closeSession(r.value, s.connectTimeoutMs);
        result = { outcome: 'accepted', answer: 'session activated', elapsedMs };
      } else if (r.kind === 'timeout') {
        await drop();
        result = { outcome: 'error', answer: 'timeout', elapsedMs, detail: `no answer within ${s.connectTimeoutMs} ms` };
      } else {
        const refusal = refusalFromError(r.error);
        const status = refusal.statusCode ?? 'ClientError';
        if (ACCESS_DENIED.has(status)) result = { outcome: 'refused', answer: status, elapsedMs };
        else {
          // Anything else may have cost the channel; the next attempt starts a fresh one.
          await drop();
          result = { outcome: 'error', answer: status, elapsedMs, ...(refusal.message ? { detail: refusal.message } : {}) };
        }
      }
      s.transcript.record(`login ${result.outcome}`, { username, answer: result.answer, elapsedMs });
      return result;
    },
    close: drop,
  };
}

async function closeSession(session: ClientSession, timeoutMs: number): Promise<void> {
  await bounded(() => session.close(), timeoutMs);
}

/** The login oracle of a check's OPC UA fixture, on one endpoint. */
export function opcuaLoginOracle(fixture: OpcuaClientFixture, endpoint: LoginEndpoint): LoginOracle {
  return opcuaChannelLoginOracle(fixture.loginChannelSettings(), endpoint);
}

function abortError(): Error {
  const err = new Error('the OPC UA login attempt was aborted');
  err.name = 'AbortError';
  return err;
}
