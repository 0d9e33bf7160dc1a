// OPC UA protocol adapter for the checks. Every step is recorded in the Transcript given to the
// fixture (never passwords or keys).
//
//   new OpcuaClientFixture(target: OpcuaTarget, transcript: Transcript,
//                          opts: { pkiDir: string; clientIdentity?: ClientIdentity; signal?: AbortSignal })
//     .endpoints(): Promise<EndpointInfo[]>            GetEndpoints over None; throws if unreachable
//     .openSession({ securityPolicy, securityMode, identity, forceTokenType?, forceEndpoint? })
//        : Promise<{ attempt: SessionAttempt; session?: OpcuaSessionHandle }>
//     .tryChannel({ securityPolicy, securityMode, clientIdentity? }): Promise<SessionAttempt>
//     .close(): Promise<void>                          idempotent
//   OpcuaSessionHandle: read(nodeId), readBuildInfo(), write(nodeId, value), close()
//   createClientIdentity(pkiDir, { applicationUri?, subject? }): Promise<ClientIdentity>
//   writeSelfSignedAppCertificate(spec, files): any key size / hash (used by the simulator too)
//
// SessionAttempt.statusCode is the device's OPC UA status ('BadUserAccessDenied', ...) or a local
// code without the 'Bad' prefix ('ClientCannotNegotiate', 'EndpointNotOffered', 'Timeout', ...):
// see refusal.ts. target.connectTimeoutMs bounds each network step, not the whole attempt.

export { OpcuaClientFixture } from './client-fixture.js';
export type {
  EndpointInfo,
  OpcuaClientFixtureOptions,
  OpcuaTarget,
  OpenSessionOptions,
  TryChannelOptions,
  UserIdentity,
  UserTokenPolicyInfo,
} from './client-fixture.js';
export type { OpcuaSessionHandle, ReadResult } from './session-handle.js';
export type { SessionAttempt } from './refusal.js';
export { createClientIdentity, type ClientIdentity } from './client-identity.js';
export { writeSelfSignedAppCertificate, type AppCertificateSpec, type AppCertificateFiles } from './app-certificate.js';
export { canDecryptRsaPkcs1v15, localNegotiationBlocker } from './local-crypto.js';
export type { SecurityModeName, UserTokenName } from './security-names.js';
