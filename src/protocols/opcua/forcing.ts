// Making node-opcua's client ask for things the server does not advertise, so that a negative test
// observes the *server's* refusal instead of the client's local one.
// Both patches replace private/internal methods on one client instance; node-opcua has no public hook.
//
// - forceTokenType: the client builds identity tokens only from the endpoint's advertised
//   UserTokenPolicies ("Cannot find ANONYMOUS user token policy"). We hand its token builder an
//   endpoint copy that also advertises the wanted token type under a made-up policyId.
// - forceEndpoint: the client only creates sessions on endpoints listed by GetEndpoints. We let it
//   use a copy of a listed endpoint with the wanted policy/mode, so CreateSession reaches the server.
//
// A forged UserName policy on a None channel names Basic256Sha256, so the password is still
// encrypted with the server certificate rather than sent in clear by the harness.

import {
  EndpointDescription,
  MessageSecurityMode,
  SecurityPolicy,
  UserTokenPolicy,
  UserTokenType,
  type OPCUAClient,
} from 'node-opcua';

interface TokenContext {
  endpoint: EndpointDescription;
  securityPolicy: SecurityPolicy;
}
type TokenBuilder = (context: TokenContext, identity: unknown, callback: (err: Error | null, data?: unknown) => void) => void;
type EndpointFinder = (mode: MessageSecurityMode, policy: SecurityPolicy) => EndpointDescription | undefined;

interface ClientInternals {
  createUserIdentityToken: TokenBuilder;
  findEndpointForSecurity: EndpointFinder;
  _serverEndpoints?: EndpointDescription[];
}

function internals(client: OPCUAClient): ClientInternals {
  const c = client as unknown as Partial<ClientInternals>;
  if (typeof c.createUserIdentityToken !== 'function' || typeof c.findEndpointForSecurity !== 'function') {
    throw new Error('node-opcua client internals changed: cannot force token type / endpoint');
  }
  return client as unknown as ClientInternals;
}

export function forceTokenType(client: OPCUAClient, tokenType: UserTokenType): void {
  const c = internals(client);
  const original = c.createUserIdentityToken.bind(client);
  c.createUserIdentityToken = (context, identity, callback) => {
    const advertised = context.endpoint.userIdentityTokens ?? [];
    if (advertised.some((p) => p.tokenType === tokenType)) return original(context, identity, callback);
    const endpoint = context.endpoint.clone() as EndpointDescription;
    endpoint.userIdentityTokens = [...advertised, forgedPolicy(tokenType, context.securityPolicy)];
    return original({ ...context, endpoint }, identity, callback);
  };
}

export function forceEndpoint(client: OPCUAClient): void {
  const c = internals(client);
  const original = c.findEndpointForSecurity.bind(client);
  c.findEndpointForSecurity = (mode, policy) => {
    const found = original(mode, policy);
    if (found) return found;
    const template = c._serverEndpoints?.[0];
    if (!template) return undefined;
    const endpoint = template.clone() as EndpointDescription;
    endpoint.securityMode = mode;
    endpoint.securityPolicyUri = policy;
    if (policy === SecurityPolicy.None) {
      endpoint.userIdentityTokens = (endpoint.userIdentityTokens ?? []).map((p) =>
        p.tokenType === UserTokenType.UserName && !p.securityPolicyUri
          ? new UserTokenPolicy({ ...p, securityPolicyUri: SecurityPolicy.Basic256Sha256 })
          : p,
      );
    }
    return endpoint;
  };
}

function forgedPolicy(tokenType: UserTokenType, channelPolicy: SecurityPolicy): UserTokenPolicy {
  const onPlainChannel = channelPolicy === SecurityPolicy.None;
  return new UserTokenPolicy({
    policyId: tokenType === UserTokenType.Anonymous ? 'anonymous' : 'username',
    tokenType,
    securityPolicyUri: tokenType === UserTokenType.UserName && onPlainChannel ? SecurityPolicy.Basic256Sha256 : null,
  });
}
