// Shared by the OPC UA checks: picking the endpoint a login should use, and opening a session as one of
// the profile's accounts. Files starting with "_" are support code, not checks.
import type { CheckContext } from '../../src/core/testcase.js';
import type { KnowledgeBase } from '../../src/knowledge/index.js';
import type { Credential } from '../../src/profiles/schema.js';
import type { EndpointInfo, OpcuaSessionHandle, SessionAttempt, UserIdentity } from '../../src/protocols/opcua/index.js';

type Ctx = CheckContext<'opcua'>;

const GRADE_RANK: Record<string, number> = { strong: 4, acceptable: 3, weak: 2, broken: 1, unknown: 0 };
const MODE_RANK: Record<EndpointInfo['securityMode'], number> = { SignAndEncrypt: 3, Sign: 2, None: 1 };

/** Endpoints offering a token type, strongest first (policy grade, then mode), as a careful client would pick. */
export function endpointsFor(
  endpoints: EndpointInfo[],
  token: EndpointInfo['userTokens'][number],
  kb: KnowledgeBase,
): EndpointInfo[] {
  return endpoints
    .filter((e) => e.userTokens.includes(token))
    .sort(
      (a, b) =>
        (GRADE_RANK[kb.opcuaSecurityPolicy(b.securityPolicyUri).grade] ?? 0) -
          (GRADE_RANK[kb.opcuaSecurityPolicy(a.securityPolicyUri).grade] ?? 0) ||
        MODE_RANK[b.securityMode] - MODE_RANK[a.securityMode],
    );
}

/** The strongest endpoint offering a token type, or undefined. */
export function bestEndpoint(
  endpoints: EndpointInfo[],
  token: EndpointInfo['userTokens'][number],
  kb: KnowledgeBase,
): EndpointInfo | undefined {
  return endpointsFor(endpoints, token, kb)[0];
}

/** One endpoint per security policy, in its strongest mode: enough to ask the server about that policy. */
export function onePerPolicy(endpoints: EndpointInfo[]): EndpointInfo[] {
  const byPolicy = new Map<string, EndpointInfo>();
  for (const e of endpoints) {
    const seen = byPolicy.get(e.securityPolicyUri);
    if (!seen || MODE_RANK[e.securityMode] > MODE_RANK[seen.securityMode]) byPolicy.set(e.securityPolicyUri, e);
  }
  return [...byPolicy.values()];
}

export function label(e: Pick<EndpointInfo, 'securityPolicy' | 'securityMode'>): string {
  return `${e.securityPolicy}/${e.securityMode}`;
}

export function userIdentity(c: Credential): UserIdentity {
  return { type: 'username', username: c.username, password: c.password };
}

/** Lists the endpoints once per check and keeps them as evidence. */
export async function listEndpoints(ctx: Ctx): Promise<EndpointInfo[]> {
  const endpoints = await ctx.step('get endpoints', () => ctx.client.endpoints());
  ctx.attach(
    'endpoints.json',
    endpoints.map(({ serverCertificateDer: _der, ...rest }) => rest),
  );
  const first = endpoints[0];
  if (first) {
    ctx.observeDevice({
      applicationUri: first.applicationUri,
      productUri: first.productUri,
      applicationName: first.applicationName,
    });
  }
  return endpoints;
}

/**
 * Opens a session as the given account on the strongest endpoint that takes user names, or anonymously
 * when no account is given. Returns the refusal when the device says no.
 */
export async function loginSession(
  ctx: Ctx,
  endpoints: EndpointInfo[],
  account: Credential | undefined,
): Promise<{ endpoint?: EndpointInfo; attempt: SessionAttempt; session?: OpcuaSessionHandle }> {
  const endpoint = bestEndpoint(endpoints, account ? 'UserName' : 'Anonymous', ctx.kb);
  if (!endpoint) {
    return {
      attempt: { ok: false, statusCode: 'NoSuitableEndpoint', message: `no endpoint offers ${account ? 'UserName' : 'Anonymous'} tokens` },
    };
  }
  const identity: UserIdentity = account ? userIdentity(account) : { type: 'anonymous' };
  const { attempt, session } = await ctx.client.openSession({
    securityPolicy: endpoint.securityPolicy,
    securityMode: endpoint.securityMode,
    identity,
  });
  return { endpoint, attempt, session };
}
