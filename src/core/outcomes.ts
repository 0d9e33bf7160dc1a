// The closed vocabularies every part of the harness shares: verdicts, statuses, safety classes.

/** What one check concluded about one target. */
export const CHECK_VERDICTS = ['pass', 'fail', 'error', 'not-applicable', 'skipped', 'waived'] as const;
export type CheckVerdict = (typeof CHECK_VERDICTS)[number];

/** What the report concludes about one requirement, aggregated from its checks. */
export const REQUIREMENT_STATUSES = [
  'pass',
  'fail',
  'inconclusive',
  'not-applicable',
  'manual',
  'not-run',
  'waived',
] as const;
export type RequirementStatus = (typeof REQUIREMENT_STATUSES)[number];

/**
 * How much a check can disturb the device, from least to most.
 * passive: only reads what the device publishes to anyone (endpoint lists, certificates, banners).
 * read: opens sessions and reads values.
 * auth-attempt: sends login attempts, some of them wrong; can lock accounts.
 * state-change: writes to the device.
 * disruptive: loads the device (floods, session exhaustion) and can disturb the process.
 */
export const SAFETY_CLASSES = ['passive', 'read', 'auth-attempt', 'state-change', 'disruptive'] as const;
export type SafetyClass = (typeof SAFETY_CLASSES)[number];

export const COMPONENT_TYPES = ['EDR', 'HDR', 'NDR', 'SAR'] as const;
export type ComponentType = (typeof COMPONENT_TYPES)[number];

export const SECURITY_LEVELS = [1, 2, 3, 4] as const;
export type SecurityLevel = (typeof SECURITY_LEVELS)[number];

/**
 * What a check talks to. tls and network are derived targets: every TLS endpoint the profile declares
 * (HTTPS, Modbus/TCP Security, services.tls) and every host the device's services listen on.
 */
export const PROTOCOLS = ['opcua', 'modbus', 'ssh', 'https', 'tls', 'network'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Defined process exit codes; the README documents them. */
export const EXIT = {
  ok: 0,
  requirementFailed: 1,
  usage: 2,
  unreachable: 3,
  internal: 4,
  /** `otconform verify`: a file, the manifest or the signature does not match, or the bundle is not signed by --pubkey. */
  evidenceInvalid: 5,
  interrupted: 130,
} as const;
