// The two personalities of the device's management services (SSH shell, HTTPS web UI, plaintext console),
// as plain data. The service code reads these fields and never branches on the preset name, so a new
// personality, or a variation for one test, is a new object. Durations are demo-scale (seconds, not minutes).

export type MgmtPresetName = 'weak' | 'hardened';

export interface MgmtAccount {
  username: string;
  /** undefined: no password login (e.g. guest, which only SSH auth method `none` admits). */
  password?: string;
  /** SSH auth method `none` logs this user in. */
  allowNoneAuth?: boolean;
}

export interface LoginPolicy {
  /** Consecutive failures that lock a user; null = never locks. */
  lockoutThreshold: number | null;
  /** How long a lock lasts, from the failure that set it. */
  lockoutMs: number;
  /** Simulated password-hash time for a known user. */
  hashCostMs: number;
  /** true: an unknown user costs the same as a known one (no user enumeration by timing). */
  uniformCost: boolean;
  /** true: every refusal reads the same; false: "Unknown user" vs "Wrong password". */
  uniformRefusal: boolean;
  /** The one refusal text when uniformRefusal is set. */
  refusalText: string;
}

export interface SshBehaviour {
  /** Full identification string, e.g. SSH-2.0-dropbear_2012.55. */
  ident: string;
  /** Pre-auth USERAUTH_BANNER; null = none. */
  banner: string | null;
  /** Host keys created once in the PKI folder. */
  hostKeys: ReadonlyArray<{ type: 'rsa' | 'ed25519'; bits?: number }>;
  /** Host key algorithms offered, in order (the RSA key serves the rsa-* names). */
  hostKeyAlgorithms: readonly string[];
  kex: readonly string[];
  ciphers: readonly string[];
  macs: readonly string[];
  /** Auth methods offered to the client, in order ('none' is never listed; see MgmtAccount.allowNoneAuth). */
  authMethods: ReadonlyArray<'password' | 'keyboard-interactive' | 'publickey'>;
  /** An authenticated connection with no channel activity this long is closed; null = never. */
  idleTimeoutMs: number | null;
  /** Authenticated connections per user; null = unlimited. */
  maxConnectionsPerUser: number | null;
}

export interface WebTls {
  minVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher string (TLS 1.2 and below). */
  ciphers: string;
  /** ecdhCurve for node:tls; undefined = Node's default. */
  groups?: string;
  /** Offer DHE suites with OpenSSL's automatic parameters (sized to the certificate key: 1024 bits for RSA-1024). */
  dheParams?: boolean;
  /** 'self-signed-weak': RSA-1024/SHA-1 self-signed; 'device-ca': the PLC device CA's RSA-2048/SHA-256 leaf. */
  certificate: 'self-signed-weak' | 'device-ca';
}

export interface WebBehaviour {
  tls: WebTls;
  /** Headers on every response. */
  headers: Readonly<Record<string, string>>;
  /** Attributes after `sid=<id>` in Set-Cookie. */
  cookieAttributes: string;
  /** 'predictable': hex of the time in ms + a counter; 'random': 32 random bytes, base64url. */
  sessionIds: 'predictable' | 'random';
  /** A new session id at login (false: the pre-login id becomes the session id). */
  rotateOnLogin: boolean;
  /** Logout destroys the session on the server (false: only the cookie is cleared). */
  logoutDestroysSession: boolean;
  /** A session unused this long ends; null = never. */
  idleTimeoutMs: number | null;
  /** Live sessions per user; null = unlimited. */
  maxSessionsPerUser: number | null;
  /** System use notification on the login page; null = none. */
  loginNotice: string | null;
  /** Errors answer with a stack trace and the product version (true) or a bare status (false). */
  verboseErrors: boolean;
  /** Product and version named on error pages when verboseErrors is set. */
  productBanner: string;
}

export interface MgmtPreset {
  name: MgmtPresetName;
  accounts: readonly MgmtAccount[];
  login: LoginPolicy;
  ssh: SshBehaviour;
  web: WebBehaviour;
  /** The Telnet-like plaintext console; null = not offered. */
  plaintextConsole: { greeting: string } | null;
  /** `version` command output in the shell. */
  firmwareVersion: string;
}

const NOTICE = 'Authorized use only. Activity on this device is monitored and recorded.';
const REFUSAL = 'Invalid username or password';

const WEAK: MgmtPreset = {
  name: 'weak',
  accounts: [
    { username: 'admin', password: 'admin' },
    { username: 'guest', allowNoneAuth: true },
    { username: 'operator', password: 'operator-weak-1' },
    { username: 'engineer', password: 'engineer-weak-1' },
    { username: 'lockprobe', password: 'lockprobe-weak-1' },
  ],
  login: { lockoutThreshold: null, lockoutMs: 0, hashCostMs: 40, uniformCost: false, uniformRefusal: false, refusalText: REFUSAL },
  ssh: {
    ident: 'SSH-2.0-dropbear_2012.55',
    banner: null,
    hostKeys: [{ type: 'rsa', bits: 1024 }],
    hostKeyAlgorithms: ['ssh-rsa'],
    // diffie-hellman-group-exchange-sha1 would belong here, but ssh2's server does not implement group exchange.
    kex: ['diffie-hellman-group1-sha1', 'diffie-hellman-group14-sha1', 'ecdh-sha2-nistp256'],
    ciphers: ['aes128-cbc', '3des-cbc', 'aes128-ctr'],
    macs: ['hmac-md5', 'hmac-sha1', 'hmac-sha2-256'],
    authMethods: ['password', 'keyboard-interactive', 'publickey'],
    idleTimeoutMs: null,
    maxConnectionsPerUser: null,
  },
  web: {
    // Everything Node's OpenSSL has, incl. static RSA and CBC; its build has no 3DES or RC4 at all.
    tls: {
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.2',
      ciphers: 'ALL:@SECLEVEL=0',
      // A 192-bit curve first, and 1024-bit DHE: what old embedded TLS stacks still negotiate.
      groups: 'prime192v1:P-256:P-384',
      dheParams: true,
      certificate: 'self-signed-weak',
    },
    headers: { Server: 'SIM-PLC-web/1.0.7', 'X-Powered-By': 'Express/4.16.0' },
    cookieAttributes: 'Path=/',
    sessionIds: 'predictable',
    rotateOnLogin: false,
    logoutDestroysSession: false,
    idleTimeoutMs: null,
    maxSessionsPerUser: null,
    loginNotice: null,
    verboseErrors: true,
    productBanner: 'SIM-PLC web 1.0.7',
  },
  plaintextConsole: { greeting: 'SIM-PLC maintenance console' },
  firmwareVersion: 'SIM-PLC firmware 2.3.1 (web 1.0.7, ssh dropbear 2012.55)',
};

const HARDENED: MgmtPreset = {
  name: 'hardened',
  accounts: [
    { username: 'operator', password: 'Op3rator!hardened' },
    { username: 'engineer', password: 'Eng1neer!hardened' },
    { username: 'lockprobe', password: 'L0ckprobe!hardened' },
  ],
  login: { lockoutThreshold: 5, lockoutMs: 3000, hashCostMs: 40, uniformCost: true, uniformRefusal: true, refusalText: REFUSAL },
  ssh: {
    ident: 'SSH-2.0-SIMPLC_4.2.1',
    banner: NOTICE,
    hostKeys: [{ type: 'ed25519' }, { type: 'rsa', bits: 3072 }],
    hostKeyAlgorithms: ['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256'],
    // No ecdh-sha2-nistp*: ssh-audit fails the NIST curves (doubts about how their constants were chosen).
    kex: ['curve25519-sha256', 'curve25519-sha256@libssh.org', 'diffie-hellman-group16-sha512'],
    ciphers: ['aes256-gcm@openssh.com', 'aes128-gcm@openssh.com', 'aes256-ctr'],
    macs: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com'],
    authMethods: ['publickey', 'password'],
    idleTimeoutMs: 2000,
    maxConnectionsPerUser: 3,
  },
  web: {
    tls: {
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      ciphers: [
        'TLS_AES_256_GCM_SHA384',
        'TLS_CHACHA20_POLY1305_SHA256',
        'TLS_AES_128_GCM_SHA256',
        'ECDHE-ECDSA-AES256-GCM-SHA384',
        'ECDHE-RSA-AES256-GCM-SHA384',
        'ECDHE-ECDSA-AES128-GCM-SHA256',
        'ECDHE-RSA-AES128-GCM-SHA256',
        'ECDHE-ECDSA-CHACHA20-POLY1305',
        'ECDHE-RSA-CHACHA20-POLY1305',
      ].join(':'),
      groups: 'X25519:P-256:P-384',
      certificate: 'device-ca',
    },
    headers: {
      'Strict-Transport-Security': 'max-age=31536000',
      'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'",
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    },
    cookieAttributes: 'Path=/; Secure; HttpOnly; SameSite=Strict',
    sessionIds: 'random',
    rotateOnLogin: true,
    logoutDestroysSession: true,
    idleTimeoutMs: 2000,
    maxSessionsPerUser: 3,
    loginNotice: NOTICE,
    verboseErrors: false,
    productBanner: 'SIM-PLC web',
  },
  plaintextConsole: null,
  firmwareVersion: 'SIM-PLC firmware 4.2.1',
};

export const MGMT_PRESETS: Readonly<Record<MgmtPresetName, MgmtPreset>> = { weak: WEAK, hardened: HARDENED };
