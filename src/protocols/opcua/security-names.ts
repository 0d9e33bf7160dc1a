// Translations between node-opcua's enums/URIs and the short names the harness reports.

import { MessageSecurityMode, SecurityPolicy, UserTokenType } from 'node-opcua';

export type SecurityModeName = 'None' | 'Sign' | 'SignAndEncrypt';
export type UserTokenName = 'Anonymous' | 'UserName' | 'Certificate' | 'IssuedToken';

const POLICY_URI_PREFIX = 'http://opcfoundation.org/UA/SecurityPolicy#';

/** 'Basic256Sha256' -> full URI; a full URI passes through. */
export function securityPolicyUri(nameOrUri: string): string {
  return nameOrUri.includes('#') ? nameOrUri : `${POLICY_URI_PREFIX}${nameOrUri}`;
}

/** Full URI -> 'Basic256Sha256'; an empty URI (legal in user token policies) means None. */
export function securityPolicyName(uri: string | null | undefined): string {
  if (!uri) return 'None';
  const hash = uri.lastIndexOf('#');
  return hash >= 0 ? uri.slice(hash + 1) : uri;
}

/** node-opcua takes the URI as its SecurityPolicy value (the enum's values are the URIs). */
export function toSecurityPolicy(nameOrUri: string): SecurityPolicy {
  return securityPolicyUri(nameOrUri) as SecurityPolicy;
}

export function toMessageSecurityMode(mode: SecurityModeName): MessageSecurityMode {
  return MessageSecurityMode[mode];
}

export function securityModeName(mode: MessageSecurityMode): SecurityModeName {
  const name = MessageSecurityMode[mode];
  if (name === 'None' || name === 'Sign' || name === 'SignAndEncrypt') return name;
  throw new Error(`unexpected MessageSecurityMode ${String(mode)}`);
}

export function userTokenName(type: UserTokenType): UserTokenName | null {
  const name = UserTokenType[type];
  return name === 'Anonymous' || name === 'UserName' || name === 'Certificate' || name === 'IssuedToken' ? name : null;
}
