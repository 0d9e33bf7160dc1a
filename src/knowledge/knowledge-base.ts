// Loads the YAML data set, validates it and builds the KnowledgeBase: pure lookups over cited data.
// Nothing here knows an algorithm by name; everything graded comes from src/knowledge/data.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { HarnessError } from '../core/errors.js';
import { EXIT, type SecurityLevel } from '../core/outcomes.js';
import { finding, unknownFinding } from './findings.js';
import { judgeFindings } from './judge.js';
import { buildNetworkKnowledge, networkDataSchema } from './network-knowledge.js';
import { buildSshKnowledge, sshDataSchema } from './ssh-knowledge.js';
import { buildWebKnowledge, webDataSchema } from './web-knowledge.js';
import {
  credentialsSchema,
  gradingSchema,
  modbusFunctionCodesSchema,
  modesSchema,
  policiesSchema,
  tlsSchema,
  x509Schema,
  type CredentialsData,
  type ModbusFunctionCodesData,
  type X509Rules,
} from './schema.js';
import type { CredentialProtocol, DefaultCredential, Finding, KnowledgeBase, KnownGrade, ModbusFunctionCodeEntry, TlsGroupEntry, TlsSuiteEntry } from './types.js';

/** Malformed knowledge data: an internal error, reported with one line per problem. */
export class KnowledgeBaseError extends HarnessError {
  constructor(message: string, details: readonly string[] = []) {
    super(message, EXIT.internal, details);
  }
}

export const DEFAULT_DATA_DIR = fileURLToPath(new URL('./data/', import.meta.url));

/** Every data file must have a schema: an unregistered file is an error, not silently ignored. */
const SCHEMAS = {
  'default-credentials.yaml': credentialsSchema,
  'grading.yaml': gradingSchema,
  'modbus-function-codes.yaml': modbusFunctionCodesSchema,
  'network-services.yaml': networkDataSchema,
  'opcua-security-modes.yaml': modesSchema,
  'opcua-security-policies.yaml': policiesSchema,
  'ssh.yaml': sshDataSchema,
  'tls.yaml': tlsSchema,
  'web.yaml': webDataSchema,
  'x509.yaml': x509Schema,
} as const;
type DataFile = keyof typeof SCHEMAS;
type DataOf<F extends DataFile> = z.infer<(typeof SCHEMAS)[F]>;

const OPCUA_POLICY_PREFIX = 'http://opcfoundation.org/UA/SecurityPolicy#';

/** Lookup key: case and punctuation do not matter ('P-256' = 'p256', 'Aes128Sha256RsaOaep' = 'Aes128_Sha256_RsaOaep'). */
export function normalizeName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

interface Entry {
  name: string;
  grade: KnownGrade;
  reason: string;
  source: string;
}

/** Builds a name -> entry index, failing on two entries that normalize to the same key. */
function index<T extends Entry>(file: string, entries: readonly T[], keysOf: (e: T) => string[], problems: string[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const e of entries) {
    for (const key of keysOf(e).map(normalizeName)) {
      const prior = map.get(key);
      if (prior && prior !== e) problems.push(`${file}: "${e.name}" and "${prior.name}" both answer to "${key}"`);
      map.set(key, e);
    }
  }
  return map;
}


function readData(dir: string): { files: { name: string; text: string }[]; sha256: string } {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'));
  } catch (e) {
    throw new KnowledgeBaseError(`Cannot read the knowledge base directory ${dir}`, [String(e)]);
  }
  names.sort(); // stable order for the hash, independent of the file system
  const files = names.map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
  const hash = createHash('sha256');
  for (const f of files) {
    // Length-prefixed so that moving bytes between files always changes the hash.
    const body = Buffer.from(f.text, 'utf8');
    hash.update(`${f.name}\0${body.length}\0`);
    hash.update(body);
  }
  return { files, sha256: hash.digest('hex') };
}

function validate(files: { name: string; text: string }[]): { [F in DataFile]: DataOf<F> } {
  const problems: string[] = [];
  const out: Partial<Record<DataFile, unknown>> = {};
  for (const f of files) {
    if (!(f.name in SCHEMAS)) {
      problems.push(`${f.name}: no schema is registered for this file (add it to SCHEMAS in knowledge-base.ts)`);
      continue;
    }
    const name = f.name as DataFile;
    let raw: unknown;
    try {
      raw = parseYaml(f.text, { uniqueKeys: true, prettyErrors: true });
    } catch (e) {
      problems.push(`${name}: YAML error: ${(e as Error).message}`);
      continue;
    }
    const result = SCHEMAS[name].safeParse(raw);
    if (!result.success) {
      for (const issue of result.error.issues) problems.push(`${name}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      continue;
    }
    out[name] = result.data;
  }
  for (const name of Object.keys(SCHEMAS) as DataFile[]) {
    if (!files.some((f) => f.name === name)) problems.push(`${name}: missing`);
  }
  if (problems.length > 0) throw new KnowledgeBaseError('The knowledge base data is malformed', problems);
  return out as { [F in DataFile]: DataOf<F> };
}

function pickBySize<R extends { minBits: number; grade: KnownGrade; reason: string; source: string }>(rules: readonly R[], bits: number): R | undefined {
  return rules.find((r) => bits >= r.minBits);
}

function credentialAccessor(data: CredentialsData) {
  return (protocol: CredentialProtocol): DefaultCredential[] => {
    const limit = data.limits[protocol]?.maxPerUsername ?? Infinity;
    const perUser = new Map<string, number>();
    const out: DefaultCredential[] = [];
    for (const c of data.credentials) {
      if (!c.protocols.includes(protocol)) continue;
      // Case-insensitive: a server that folds case would count both spellings against one account.
      const key = c.username.toLowerCase();
      const n = perUser.get(key) ?? 0;
      if (n >= limit) continue;
      perUser.set(key, n + 1);
      out.push({ username: c.username, password: c.password, source: c.source, note: c.note ? `${c.reason} ${c.note}` : c.reason });
    }
    return out;
  };
}

type ModbusFcData = ModbusFunctionCodesData['functionCodes'][number];

/** "05 FF FF 12 34" -> its bytes (the schema has already checked the format). */
function hexBytes(spaced: string): Buffer {
  return Buffer.from(spaced.replace(/ /g, ''), 'hex');
}

/** Codes overlap, or a probe does not start with its own function code (and MEI type): both are data bugs. */
function checkModbusData(entries: readonly ModbusFcData[], problems: string[]): void {
  const file = 'modbus-function-codes.yaml';
  const taken = new Map<string, string>();
  for (const e of entries) {
    for (let code = e.code; code <= (e.through ?? e.code); code++) {
      const key = e.mei === undefined ? `${code}` : `${code}/${e.mei}`;
      const prior = taken.get(key);
      if (prior) problems.push(`${file}: "${e.name}" and "${prior}" both cover function ${key}`);
      taken.set(key, e.name);
    }
    const probe = e.probe === null ? undefined : hexBytes(e.probe);
    if (!probe) continue;
    if (e.through !== undefined) problems.push(`${file}: "${e.name}" is a range and cannot have one probe`);
    if (probe[0] !== e.code) problems.push(`${file}: the probe of "${e.name}" does not start with function code ${e.code}`);
    if (e.mei !== undefined && probe[1] !== e.mei) problems.push(`${file}: the probe of "${e.name}" does not carry MEI type ${e.mei}`);
  }
}

function modbusEntry(e: ModbusFcData): ModbusFunctionCodeEntry {
  return {
    code: e.code,
    ...(e.through !== undefined ? { through: e.through } : {}),
    ...(e.mei !== undefined ? { mei: e.mei } : {}),
    name: e.name,
    category: e.category,
    exposure: e.exposure,
    reason: e.reason,
    source: e.source,
    // A new Buffer per call: Buffers cannot be frozen, and the data must stay unchanged for every caller.
    ...(e.probe !== null ? { probe: hexBytes(e.probe) } : {}),
    probeNote: e.probeNote,
  };
}

/** The data is shared by every caller of the cached knowledge base, so nobody may change it. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function build(data: { [F in DataFile]: DataOf<F> }, sha256: string): KnowledgeBase {
  deepFreeze(data);
  const problems: string[] = [];
  const version = data['grading.yaml'].version;
  const policies = data['opcua-security-policies.yaml'].policies;
  const policyByName = index('opcua-security-policies.yaml', policies, (p) => [p.name], problems);
  const policyByUri = new Map(policies.map((p) => [p.uri, p]));
  if (policyByUri.size !== policies.length) problems.push('opcua-security-policies.yaml: duplicate uri');
  const modes = index('opcua-security-modes.yaml', data['opcua-security-modes.yaml'].modes, (m) => [m.name, ...m.aliases], problems);
  const x509: X509Rules = data['x509.yaml'];
  const curves = index('x509.yaml', x509.ecCurves, (c) => [c.name, ...c.aliases], problems);
  const keyTypes = index('x509.yaml', x509.keyTypes, (k) => [k.name], problems);
  const hashes = index('x509.yaml', x509.signatureHashes, (h) => [h.name], problems);
  const tls = data['tls.yaml'];
  const tlsVersions = index('tls.yaml', tls.versions, (v) => [v.name, ...v.aliases], problems);
  const tlsSuites = index(
    'tls.yaml',
    tls.suites.map((s) => ({ ...s, name: s.iana })),
    (s) => [s.iana, ...(s.openssl ? [s.openssl] : []), ...s.aliases, s.code],
    problems,
  );
  const tlsGroups = index('tls.yaml', tls.groups, (g) => [g.name, ...g.aliases, String(g.code), `0x${g.code.toString(16).padStart(4, '0')}`], problems);
  const tlsSuiteList: TlsSuiteEntry[] = tls.suites.map((s) => ({ iana: s.iana, ...(s.openssl ? { openssl: s.openssl } : {}), code: s.code, grade: s.grade }));
  const tlsGroupList: TlsGroupEntry[] = tls.groups.map((g) => ({ name: g.name, code: g.code, kind: g.kind, grade: g.grade }));
  const modbusCodes = data['modbus-function-codes.yaml'].functionCodes;
  checkModbusData(modbusCodes, problems);
  const creds = data['default-credentials.yaml'];
  const seenPairs = new Set<string>();
  for (const c of creds.credentials) {
    const key = JSON.stringify([c.username, c.password]);
    if (seenPairs.has(key)) problems.push(`default-credentials.yaml: ${c.username}/${c.password} is listed twice`);
    seenPairs.add(key);
  }
  const ssh = buildSshKnowledge(data['ssh.yaml'], version, problems);
  const web = buildWebKnowledge(data['web.yaml'], version, problems);
  const network = buildNetworkKnowledge(data['network-services.yaml'], version, problems);
  if (problems.length > 0) throw new KnowledgeBaseError('The knowledge base data is inconsistent', problems);

  const minimum = data['grading.yaml'].minimumGrade;
  const minimumGrade = (sl: SecurityLevel): KnownGrade => {
    const rule = minimum[sl];
    if (!rule) throw new KnowledgeBaseError(`No minimum grade is defined for security level ${String(sl)}`);
    return rule.grade;
  };

  return {
    version,
    sha256,
    x509,

    opcuaSecurityPolicy(uriOrName) {
      const subject = 'opcua.securityPolicy';
      const input = uriOrName.trim();
      const byUri = policyByUri.get(input);
      if (byUri) return finding(subject, byUri.name, byUri);
      // A short name, or an OPC Foundation URI spelled with different case: match the name part.
      // Any other URI is unknown, never guessed from its fragment.
      const isUri = input.includes('://');
      if (isUri && !input.toLowerCase().startsWith(OPCUA_POLICY_PREFIX.toLowerCase())) {
        return unknownFinding(subject, input, 'Security policy', version);
      }
      const name = isUri ? input.slice(OPCUA_POLICY_PREFIX.length) : input;
      const p = policyByName.get(normalizeName(name));
      return p ? finding(subject, p.name, p) : unknownFinding(subject, input, 'Security policy', version);
    },

    opcuaSecurityMode(mode) {
      const subject = 'opcua.securityMode';
      const input = mode.trim();
      // Accept 'Sign', '2', or an enum-qualified 'MessageSecurityMode.Sign'.
      const m = modes.get(normalizeName(input)) ?? modes.get(normalizeName(input.split('.').pop() ?? ''));
      return m ? finding(subject, m.name, m) : unknownFinding(subject, input, 'Message security mode', version);
    },

    defaultCredentials: credentialAccessor(creds),

    minimumGrade,

    // A closure, not `this`, so a destructured `judge` still works.
    judge: (findings, sl) => judgeFindings(findings, sl, minimumGrade(sl)),

    x509Key(keyType, keyBits, curve) {
      const subject = 'x509.keySize';
      const type = normalizeName(keyType);
      if (type === 'rsa' || type === 'rsapss' || type === 'dsa') {
        const label = type === 'dsa' ? 'DSA' : 'RSA';
        if (keyBits === undefined || !Number.isFinite(keyBits)) {
          return unknownFinding(subject, `${label} (size not known)`, 'Key', version, `The ${label} key size could not be read, so the key cannot be graded.`);
        }
        const rule = pickBySize(type === 'dsa' ? x509.dsaKeySizes : x509.rsaKeySizes, keyBits);
        const value = `${label} ${keyBits}`;
        return rule ? finding(subject, value, rule) : unknownFinding(subject, value, 'Key', version);
      }
      if (type === 'ec' || type === 'ecdsa') {
        if (!curve) return unknownFinding(subject, 'EC (curve not known)', 'Key', version, 'The elliptic curve could not be read, so the key cannot be graded.');
        const c = curves.get(normalizeName(curve));
        return c ? finding(subject, `EC ${c.name}`, c) : unknownFinding(subject, `EC ${curve}`, 'Elliptic curve', version);
      }
      const k = keyTypes.get(type);
      return k ? finding(subject, k.name, k) : unknownFinding(subject, keyType, 'Key type', version);
    },

    x509SignatureHash(hash) {
      const subject = 'x509.signatureHash';
      const h = hashes.get(normalizeName(hash));
      return h ? finding(subject, h.name, h) : unknownFinding(subject, hash, 'Signature hash', version);
    },

    tlsVersion(name) {
      const subject = 'TLS version';
      const v = tlsVersions.get(normalizeName(name));
      return v ? finding(subject, v.name, v) : unknownFinding(subject, name.trim(), 'TLS version', version);
    },

    tlsCipherSuite(name) {
      const subject = 'TLS cipher suite';
      const s = tlsSuites.get(normalizeName(name));
      return s ? finding(subject, s.iana, s) : unknownFinding(subject, name.trim(), 'Cipher suite', version);
    },

    tlsCipherSuites: () => tlsSuiteList.map((s) => ({ ...s })),

    tlsGroups: () => tlsGroupList.map((g) => ({ ...g })),

    tlsGroup(nameOrCode) {
      const subject = 'TLS key exchange group';
      const input = typeof nameOrCode === 'number' ? `0x${nameOrCode.toString(16).padStart(4, '0')}` : nameOrCode.trim();
      const g = tlsGroups.get(normalizeName(input));
      return g ? finding(subject, g.name, g) : unknownFinding(subject, input, 'Key exchange group', version);
    },

    tlsDhePrime(bits) {
      const subject = 'TLS DHE prime';
      const rule = pickBySize(tls.dhePrimeSizes, bits);
      return rule ? finding(subject, `${bits} bits`, rule) : unknownFinding(subject, `${bits} bits`, 'DHE prime', version);
    },

    tlsCertificateName(expectedName, mismatch) {
      const subject = 'TLS certificate name';
      return mismatch === undefined
        ? finding(subject, `names ${expectedName}`, tls.certificate.name.matches)
        : finding(subject, `does not name ${expectedName}`, tls.certificate.name.mismatch);
    },

    tlsCertificateChain(state, detail) {
      const subject = 'TLS certificate chain';
      const chain = tls.certificate.chain;
      if (state === 'trusted') return finding(subject, detail, chain.trusted);
      if (state === 'untrusted') return finding(subject, detail, chain.untrusted);
      if (state === 'self-signed') return finding(subject, detail, chain.selfSigned);
      return unknownFinding(subject, detail, 'Certificate chain', version, 'The certificate is issued by a CA that is neither in the profile (caFile) nor a system root, so its chain cannot be verified; name the CA file in the profile.');
    },

    ssh,
    web,
    network,

    modbusFunctionCodes: () => modbusCodes.map(modbusEntry),

    modbusFunctionCode(code, mei) {
      const e = modbusCodes.find((c) =>
        mei === undefined
          ? c.mei === undefined && code >= c.code && code <= (c.through ?? c.code)
          : c.code === code && c.mei === mei,
      );
      return e ? modbusEntry(e) : undefined;
    },
  };
}

/** Loads and validates a data directory without caching (tests and tools use this directly). */
export function loadKnowledgeBaseFrom(dir: string): KnowledgeBase {
  const { files, sha256 } = readData(dir);
  return build(validate(files), sha256);
}

let cached: KnowledgeBase | undefined;

/** The bundled knowledge base, loaded once per process. Throws KnowledgeBaseError on malformed data. */
export function loadKnowledgeBase(): KnowledgeBase {
  cached ??= loadKnowledgeBaseFrom(DEFAULT_DATA_DIR);
  return cached;
}
