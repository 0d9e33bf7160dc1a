// The OPC UA client a check drives: discovery, session attempts, channel-only probes.
// One OPCUAClient (and one secure channel) per attempt, each with its own certificate store
// folder under opts.pkiDir, so attempts never share state and node-opcua never touches ~/.config.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  OPCUACertificateManager,
  OPCUAClient,
  UserTokenType,
  type EndpointDescription,
  type UserIdentityInfo,
} from 'node-opcua';
import type { Transcript } from '../../core/transcript.js';
import { bounded, type Bounded } from './bounded.js';
import { createClientIdentity, type ClientIdentity } from './client-identity.js';
import { forceEndpoint, forceTokenType } from './forcing.js';
import { probeInRevertedChild } from './legacy-channel-probe.js';
import { localNegotiationBlocker } from './local-crypto.js';
import type { OpcuaLoginChannelSettings } from './login-oracle.js';
import { refusalFromError, type SessionAttempt } from './refusal.js';
import {
  securityModeName,
  securityPolicyName,
  securityPolicyUri,
  toMessageSecurityMode,
  toSecurityPolicy,
  userTokenName,
  type SecurityModeName,
  type UserTokenName,
} from './security-names.js';
import { createSessionHandle, type OpcuaSessionHandle } from './session-handle.js';

export interface OpcuaTarget {
  endpointUrl: string;
  /** Upper bound for each network step (connect, GetEndpoints, CreateSession, a read...). */
  connectTimeoutMs: number;
}

export interface UserTokenPolicyInfo {
  tokenType: UserTokenName;
  policyId: string;
  /** Policy that protects the token; 'None' with a UserName token means the password travels in clear. */
  securityPolicy: string;
}

export interface EndpointInfo {
  endpointUrl: string;
  securityPolicyUri: string;
  securityPolicy: string;
  securityMode: SecurityModeName;
  userTokens: UserTokenName[];
  userTokenPolicies: UserTokenPolicyInfo[];
  serverCertificateDer?: Buffer;
  applicationUri: string;
  productUri?: string;
  applicationName?: string;
  securityLevel: number;
}

export type UserIdentity = { type: 'anonymous' } | { type: 'username'; username: string; password: string };

export interface OpenSessionOptions {
  securityPolicy: string;
  securityMode: SecurityModeName;
  identity: UserIdentity;
  /** Send the identity token even if the endpoint does not advertise its type (negative tests). */
  forceTokenType?: boolean;
  /** Ask for the session even if no advertised endpoint has this policy/mode (negative tests). */
  forceEndpoint?: boolean;
}

export interface TryChannelOptions {
  securityPolicy: string;
  securityMode: 'Sign' | 'SignAndEncrypt';
  /** Certificate to present; default the fixture's identity. */
  clientIdentity?: ClientIdentity;
}

export interface OpcuaClientFixtureOptions {
  pkiDir: string;
  /** The harness's application certificate; created on first need under pkiDir when absent. */
  clientIdentity?: ClientIdentity;
  signal?: AbortSignal;
  /** Test a policy this runtime cannot speak in a child process with --security-revert (default true). */
  legacyProbe?: boolean;
}

const APPLICATION_NAME = 'otconform';

export class OpcuaClientFixture {
  private readonly live = new Set<OPCUAClient>();
  private readonly handles = new Set<OpcuaSessionHandle>();
  private identity: Promise<ClientIdentity> | undefined;
  private clientCount = 0;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly target: OpcuaTarget,
    private readonly transcript: Transcript,
    private readonly opts: OpcuaClientFixtureOptions,
  ) {
    if (opts.clientIdentity) this.identity = Promise.resolve(opts.clientIdentity);
  }

  /** What a login oracle needs to open its own channel as this fixture would (login-oracle.ts). */
  loginChannelSettings(): OpcuaLoginChannelSettings {
    return {
      endpointUrl: this.target.endpointUrl,
      connectTimeoutMs: this.target.connectTimeoutMs,
      pkiDir: join(this.opts.pkiDir, 'login'),
      identity: () => this.ownIdentity(),
      transcript: this.transcript,
      ...(this.opts.signal ? { signal: this.opts.signal } : {}),
    };
  }

  /** GetEndpoints over a None channel (what every OPC UA client does first). Throws when the device cannot be reached. */
  async endpoints(): Promise<EndpointInfo[]> {
    const client = await this.newClient({ securityPolicy: 'None', securityMode: 'None' });
    try {
      const connected = await this.step('connect', () => client.connect(this.target.endpointUrl));
      if (connected.kind !== 'done') throw new Error(describeFailure('connect', connected));
      const got = await this.step('getEndpoints', () => client.getEndpoints());
      if (got.kind !== 'done') throw new Error(describeFailure('getEndpoints', got));
      const endpoints = got.value.map(toEndpointInfo);
      this.transcript.record('endpoints', {
        count: endpoints.length,
        list: endpoints.map((e) => `${e.securityPolicy}/${e.securityMode} [${e.userTokens.join(',')}]`),
      });
      return endpoints;
    } finally {
      await this.release(client);
    }
  }

  async openSession(o: OpenSessionOptions): Promise<{ attempt: SessionAttempt; session?: OpcuaSessionHandle }> {
    const who = o.identity.type === 'username' ? { type: 'username', username: o.identity.username } : { type: 'anonymous' };
    this.transcript.record('openSession', {
      securityPolicy: o.securityPolicy,
      securityMode: o.securityMode,
      identity: who,
      ...(o.forceTokenType ? { forceTokenType: true } : {}),
      ...(o.forceEndpoint ? { forceEndpoint: true } : {}),
    });
    const blocked = this.localBlock(o.securityPolicy);
    if (blocked) return { attempt: blocked };

    const client = await this.newClient(o);
    if (o.forceTokenType) forceTokenType(client, o.identity.type === 'username' ? UserTokenType.UserName : UserTokenType.Anonymous);
    if (o.forceEndpoint) forceEndpoint(client);

    const connected = await this.step('connect', () => client.connect(this.target.endpointUrl));
    if (connected.kind !== 'done') return { attempt: await this.refuse(client, 'connect', connected) };

    const created = await this.step('createSession', () => client.createSession(toUserIdentityInfo(o.identity)));
    if (created.kind !== 'done') return { attempt: await this.refuse(client, 'createSession', created) };

    this.transcript.record('session opened', { sessionId: created.value.sessionId.toString() });
    const handle = createSessionHandle({
      session: created.value,
      transcript: this.transcript,
      stepTimeoutMs: this.target.connectTimeoutMs,
      ...(this.opts.signal ? { signal: this.opts.signal } : {}),
      release: async () => {
        this.handles.delete(handle);
        await this.release(client);
      },
    });
    this.handles.add(handle);
    return { attempt: { ok: true }, session: handle };
  }

  /** Opens (and closes) only a secure channel: was this policy accepted, is this client certificate trusted? */
  async tryChannel(o: TryChannelOptions): Promise<SessionAttempt> {
    const identity = o.clientIdentity ?? (await this.ownIdentity());
    this.transcript.record('tryChannel', {
      securityPolicy: o.securityPolicy,
      securityMode: o.securityMode,
      clientApplicationUri: identity.applicationUri,
    });
    const blocked = this.localBlock(o.securityPolicy);
    if (blocked) {
      if (this.opts.legacyProbe === false) return blocked;
      return probeInRevertedChild(
        {
          endpointUrl: this.target.endpointUrl,
          connectTimeoutMs: this.target.connectTimeoutMs,
          pkiDir: join(this.opts.pkiDir, `legacy-${++this.clientCount}`),
          securityPolicy: o.securityPolicy,
          securityMode: o.securityMode,
          clientIdentity: identity,
        },
        this.transcript,
        this.opts.signal,
      );
    }
    const client = await this.newClient(o, identity);
    const connected = await this.step('openSecureChannel', () => client.connect(this.target.endpointUrl));
    if (connected.kind !== 'done') return this.refuse(client, 'openSecureChannel', connected);
    this.transcript.record('channel accepted');
    await this.release(client);
    return { ok: true };
  }

  /** Closes every session and client this fixture opened. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const h of [...this.handles]) await h.close().catch(() => undefined);
      for (const c of [...this.live]) await this.release(c);
    })();
    return this.closing;
  }

  private localBlock(securityPolicy: string): SessionAttempt | null {
    const reason = localNegotiationBlocker(securityPolicyName(securityPolicyUri(securityPolicy)));
    if (!reason) return null;
    this.transcript.record('not attempted', { statusCode: 'ClientCannotNegotiate', reason });
    return { ok: false, statusCode: 'ClientCannotNegotiate', message: reason };
  }

  private ownIdentity(): Promise<ClientIdentity> {
    this.identity ??= createClientIdentity(this.opts.pkiDir);
    return this.identity;
  }

  private async newClient(
    o: { securityPolicy: string; securityMode: SecurityModeName },
    identity?: ClientIdentity,
  ): Promise<OPCUAClient> {
    if (this.closing) throw new Error('OpcuaClientFixture is closed');
    // None channels need no certificate, but node-opcua loads one anyway; reuse ours so it never generates its own.
    const id = identity ?? (await this.ownIdentity());
    const rootFolder = join(this.opts.pkiDir, `client-${++this.clientCount}`);
    await mkdir(rootFolder, { recursive: true });
    const clientCertificateManager = new OPCUACertificateManager({
      rootFolder,
      // The harness judges the device certificate itself; refusing it here would hide the device.
      automaticallyAcceptUnknownCertificate: true,
      disableFileWatchers: true,
    });
    const stepMs = this.target.connectTimeoutMs;
    const client = OPCUAClient.create({
      applicationName: APPLICATION_NAME,
      applicationUri: id.applicationUri,
      clientCertificateManager,
      certificateFile: id.certificateFile,
      privateKeyFile: id.privateKeyFile,
      securityPolicy: toSecurityPolicy(o.securityPolicy),
      securityMode: toMessageSecurityMode(o.securityMode),
      // Connect by IP even when the device advertises a host name.
      endpointMustExist: false,
      // One try only: a refused or silent device must fail within the step timeout.
      connectionStrategy: { maxRetry: 0, initialDelay: Math.min(100, stepMs), maxDelay: Math.min(200, stepMs) },
      transportTimeout: stepMs,
      defaultTransactionTimeout: stepMs,
      keepSessionAlive: false,
      requestedSessionTimeout: 60_000,
    });
    this.live.add(client);
    return client;
  }

  private async release(client: OPCUAClient): Promise<void> {
    if (!this.live.delete(client)) return;
    // disconnect() also disposes the client's certificate manager (node-opcua does it).
    await bounded(() => client.disconnect(), this.target.connectTimeoutMs);
  }

  private async step<T>(event: string, work: () => Promise<T>): Promise<Bounded<T>> {
    const r = await bounded(work, this.target.connectTimeoutMs, this.opts.signal);
    if (r.kind === 'timeout') this.transcript.record(`${event} timeout`, { afterMs: this.target.connectTimeoutMs });
    if (r.kind === 'aborted') this.transcript.record(`${event} aborted`);
    return r;
  }

  private async refuse(client: OPCUAClient, event: string, r: Bounded<unknown>): Promise<SessionAttempt> {
    const attempt: SessionAttempt =
      r.kind === 'failed'
        ? refusalFromError(r.error)
        : r.kind === 'timeout'
          ? { ok: false, statusCode: 'Timeout', message: `${event} took longer than ${this.target.connectTimeoutMs} ms` }
          : { ok: false, statusCode: 'Aborted', message: `${event} aborted` };
    if (r.kind === 'failed') this.transcript.record(`${event} refused`, { statusCode: attempt.statusCode, message: attempt.message });
    await this.release(client);
    return attempt;
  }
}

function describeFailure(event: string, r: Bounded<unknown>): string {
  if (r.kind === 'failed') {
    const a = refusalFromError(r.error);
    return `${event} failed: ${a.statusCode}: ${a.message}`;
  }
  return `${event} ${r.kind === 'timeout' ? 'timed out' : 'aborted'}`;
}

function toUserIdentityInfo(identity: UserIdentity): UserIdentityInfo {
  return identity.type === 'username'
    ? { type: UserTokenType.UserName, userName: identity.username, password: identity.password }
    : { type: UserTokenType.Anonymous };
}

function toEndpointInfo(e: EndpointDescription): EndpointInfo {
  const policies: UserTokenPolicyInfo[] = (e.userIdentityTokens ?? []).flatMap((p) => {
    const tokenType = userTokenName(p.tokenType);
    return tokenType
      ? [{ tokenType, policyId: p.policyId ?? '', securityPolicy: securityPolicyName(p.securityPolicyUri || e.securityPolicyUri) }]
      : [];
  });
  const info: EndpointInfo = {
    endpointUrl: e.endpointUrl ?? '',
    securityPolicyUri: e.securityPolicyUri ?? '',
    securityPolicy: securityPolicyName(e.securityPolicyUri),
    securityMode: securityModeName(e.securityMode),
    userTokens: [...new Set(policies.map((p) => p.tokenType))],
    userTokenPolicies: policies,
    applicationUri: e.server?.applicationUri ?? '',
    securityLevel: e.securityLevel,
  };
  if (e.serverCertificate && e.serverCertificate.length > 0) info.serverCertificateDer = Buffer.from(e.serverCertificate);
  if (e.server?.productUri) info.productUri = e.server.productUri;
  if (e.server?.applicationName?.text) info.applicationName = e.server.applicationName.text;
  return info;
}
