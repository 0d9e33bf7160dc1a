// The two device personalities of the OPC UA simulator, as plain data.
// The server code reads these fields and never branches on the preset name, so a new
// personality (or a variation for one test) is a new object, not new code.

import type { PasswordCheckCost } from './user-manager.js';

export type OpcuaPresetName = 'weak' | 'hardened';

/** Short names as node-opcua's SecurityPolicy enum spells them. */
export type SecurityPolicyName =
  | 'None'
  | 'Basic128Rsa15'
  | 'Basic256'
  | 'Basic256Sha256'
  | 'Aes128_Sha256_RsaOaep'
  | 'Aes256_Sha256_RsaPss';

export type SecurityModeName = 'None' | 'Sign' | 'SignAndEncrypt';

/** OPC UA well-known roles (Part 3 §4.9.2) the simulator hands out. */
export type WellKnownRoleName = 'Observer' | 'Operator' | 'Engineer' | 'Supervisor' | 'ConfigureAdmin' | 'SecurityAdmin';

export interface SimulatedUser {
  username: string;
  password: string;
  roles: WellKnownRoleName[];
}

export interface OpcuaPreset {
  /** Policies offered on the endpoints. 'None' here means a session-capable None/None endpoint. */
  securityPolicies: SecurityPolicyName[];
  securityModes: SecurityModeName[];
  /** Whether endpoints advertise (and the server accepts) the Anonymous user token. */
  allowAnonymous: boolean;
  /** Legacy: offers a UserName token with no encryption on the None endpoint, so passwords travel in clear. */
  allowUnsecurePassword: boolean;
  users: SimulatedUser[];
  /**
   * Roles allowed to write the commandable process tags (Setpoint, valves, pump).
   * 'everyone' leaves the nodes without RolePermissions, so any session may write, anonymous included.
   */
  commandWriterRoles: WellKnownRoleName[] | 'everyone';
  /** Roles allowed to read process tags; 'everyone' as above. */
  processReaderRoles: WellKnownRoleName[] | 'everyone';
  serverCertificate: { keyBits: number; signatureHash: 'sha1' | 'sha256' };
  /** Trust any client application certificate (legacy) instead of only the configured ones. */
  acceptUnknownClientCertificates: boolean;
  /** Failed-login lockout; null = none. The duration comes from the simulator options. */
  lockout: { maxConsecutiveFailures: number } | null;
  /** What one password check costs, and whether an unknown user costs the same (user enumeration by timing). */
  passwordCheck: PasswordCheckCost;
  maxSessions: number;
  /** Concurrent TCP connections per endpoint (node-opcua's default is 10). */
  maxConnectionsPerEndpoint: number;
  /**
   * Busy CPU spent when a secure channel opens and when a session is created: a slow device CPU. Standalone
   * it blocks the whole simulator; in one-device mode it is spent where the PLC services its comms (inside
   * the scan on a legacy PLC), so a channel or session flood shows in the heartbeat.
   */
  costPerChannelMs: number;
  costPerSessionMs: number;
  /** Busy CPU every open session costs each 100 ms: a legacy server that services every session in one task. */
  costPerOpenSessionMs: number;
  buildInfo: {
    manufacturerName: string;
    productName: string;
    productUri: string;
    softwareVersion: string;
    buildNumber: string;
    /** ISO date; null leaves it at the OPC UA minimum date, as devices that do not know it do. */
    buildDate: string | null;
  };
  applicationName: string;
  applicationUri: string;
}

const MANUFACTURER = 'otconform simulated devices';

export const OPCUA_PRESETS: Record<OpcuaPresetName, OpcuaPreset> = {
  // A typical legacy PLC: everything on, nothing enforced.
  weak: {
    // Deprecated policies (Basic128Rsa15, Basic256) plus None: the harness must flag them.
    securityPolicies: ['None', 'Basic128Rsa15', 'Basic256', 'Basic256Sha256'],
    // Mode None offered: data in clear, no integrity.
    securityModes: ['None', 'Sign', 'SignAndEncrypt'],
    // Anyone can connect without identifying themselves (CR 1.1 violated).
    allowAnonymous: true,
    // Passwords readable on the wire when the None endpoint is used.
    allowUnsecurePassword: true,
    users: [
      // Factory default credentials never changed (CR 1.5).
      { username: 'admin', password: 'admin', roles: [] },
      { username: 'operator', password: 'operator-weak-1', roles: [] },
      { username: 'engineer', password: 'engineer-weak-1', roles: [] },
      { username: 'lockprobe', password: 'lockprobe-weak-1', roles: [] },
    ],
    // No authorization enforcement (CR 2.1): anyone may write anything writable.
    commandWriterRoles: 'everyone',
    processReaderRoles: 'everyone',
    // Weak key and broken hash: the harness must judge key size and signature itself.
    serverCertificate: { keyBits: 1024, signatureHash: 'sha1' },
    // Any client certificate is trusted, so application authentication means nothing (CR 1.2).
    acceptUnknownClientCertificates: true,
    // Unlimited password guessing (CR 1.11).
    lockout: null,
    // A 40 ms hash for known users only, on the one CPU: timing tells which account names exist (CR 1.10).
    passwordCheck: { costMs: 40, sameForUnknownUsers: false, blocksCpu: true },
    // Effectively unlimited sessions (CR 2.7 concurrent session control).
    maxSessions: 200,
    // No connection limit either, so nothing but the (absent) session limit stops a session flood.
    maxConnectionsPerEndpoint: 250,
    // A slow CPU that does channel and session set-up in the same task as the control logic.
    costPerChannelMs: 100,
    costPerSessionMs: 150,
    costPerOpenSessionMs: 40,
    buildInfo: {
      manufacturerName: MANUFACTURER,
      productName: 'SIM-PLC weak',
      productUri: 'urn:otconform:sim:plc-weak',
      // Legacy device that does not report its firmware: the inventory check must notice.
      softwareVersion: '',
      buildNumber: '',
      buildDate: null,
    },
    applicationName: 'SIM-PLC weak',
    applicationUri: 'urn:otconform:sim:plc-weak',
  },

  // A device configured along IEC 62443-4-2 SL2 lines.
  hardened: {
    // Only current policies; no None endpoint that can carry a session.
    securityPolicies: ['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'],
    securityModes: ['Sign', 'SignAndEncrypt'],
    // Every session is tied to an identified user.
    allowAnonymous: false,
    allowUnsecurePassword: false,
    users: [
      // May watch, not change the process.
      { username: 'operator', password: 'Op3rator!hardened', roles: ['Operator'] },
      // May change the process setpoint.
      { username: 'engineer', password: 'Eng1neer!hardened', roles: ['Engineer'] },
      // Read-only account the harness is allowed to lock out.
      { username: 'lockprobe', password: 'L0ckprobe!hardened', roles: ['Observer'] },
    ],
    // Least privilege: only engineers may command the process.
    commandWriterRoles: ['Engineer'],
    processReaderRoles: ['Observer', 'Operator', 'Engineer'],
    serverCertificate: { keyBits: 2048, signatureHash: 'sha256' },
    // Only explicitly trusted client applications may open a secure channel.
    acceptUnknownClientCertificates: false,
    // 5 consecutive failures lock the username.
    lockout: { maxConsecutiveFailures: 5 },
    // Every check costs the same, known user or not, and runs beside the control logic.
    passwordCheck: { costMs: 40, sameForUnknownUsers: true, blocksCpu: false },
    // Bounded resources: extra sessions get BadTooManySessions.
    maxSessions: 5,
    // node-opcua's default; above the session limit, so the session limit is what a client meets first.
    maxConnectionsPerEndpoint: 10,
    // Communication runs apart from the control logic: set-up costs the control loop nothing.
    costPerChannelMs: 0,
    costPerSessionMs: 0,
    costPerOpenSessionMs: 0,
    buildInfo: {
      manufacturerName: MANUFACTURER,
      productName: 'SIM-PLC hardened',
      productUri: 'urn:otconform:sim:plc-hardened',
      // Complete identification, so vulnerabilities can be matched to firmware.
      softwareVersion: '4.2.1',
      buildNumber: '4.2.1+sim',
      buildDate: '2025-06-30T00:00:00Z',
    },
    applicationName: 'SIM-PLC hardened',
    applicationUri: 'urn:otconform:sim:plc-hardened',
  },
};
