// Reads the facts out of an X.509 certificate and grades them against the knowledge base.
//
// One parsing path for every key type: node-forge cannot build certificate objects for EC or
// EdDSA keys, so names, key details and the fingerprint come from node:crypto's X509Certificate
// (OpenSSL), while the fields Node 20 does not expose (signature algorithm OID, exact validity
// times, subjectAltName entries) are read from the DER with forge.asn1, which parses any
// certificate's structure regardless of key type.
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import type { Finding, KnowledgeBase } from './types.js';

export interface CertificateFacts {
  subject: string;
  issuer: string;
  selfSigned: boolean;
  serialNumber: string;
  keyType: 'RSA' | 'EC' | 'Ed25519' | 'Ed448' | 'DSA' | string;
  keyBits?: number;
  curve?: string;
  /** e.g. 'sha1WithRSAEncryption', 'ecdsa-with-SHA256', 'RSASSA-PSS', or the dotted OID if unrecognised. */
  signatureAlgorithm: string;
  /** 'sha1', 'sha256', ... or 'unknown'. */
  signatureHash: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  sanUris: string[];
  sanDns: string[];
  sanIps: string[];
  /** Lower-case hex without separators. */
  sha256Fingerprint: string;
}

export class CertificateParseError extends Error {
  override name = 'CertificateParseError';
}

// OID -> name tables for parsing only; grading never looks at these, it asks the knowledge base.
const SIGNATURE_OIDS: Record<string, { name: string; hash: string }> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', hash: 'md2' },
  '1.2.840.113549.1.1.3': { name: 'md4WithRSAEncryption', hash: 'md4' },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', hash: 'sha224' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512' },
  '2.16.840.1.101.3.4.3.13': { name: 'RSA-SHA3-224', hash: 'sha3-224' },
  '2.16.840.1.101.3.4.3.14': { name: 'RSA-SHA3-256', hash: 'sha3-256' },
  '2.16.840.1.101.3.4.3.15': { name: 'RSA-SHA3-384', hash: 'sha3-384' },
  '2.16.840.1.101.3.4.3.16': { name: 'RSA-SHA3-512', hash: 'sha3-512' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', hash: 'sha224' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512' },
  '2.16.840.1.101.3.4.3.9': { name: 'ecdsa-with-SHA3-224', hash: 'sha3-224' },
  '2.16.840.1.101.3.4.3.10': { name: 'ecdsa-with-SHA3-256', hash: 'sha3-256' },
  '2.16.840.1.101.3.4.3.11': { name: 'ecdsa-with-SHA3-384', hash: 'sha3-384' },
  '2.16.840.1.101.3.4.3.12': { name: 'ecdsa-with-SHA3-512', hash: 'sha3-512' },
  '1.2.840.10040.4.3': { name: 'dsa-with-sha1', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.1': { name: 'dsa-with-sha224', hash: 'sha224' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa-with-sha256', hash: 'sha256' },
  // EdDSA hashes internally: SHA-512 for Ed25519 and SHAKE256 for Ed448 (RFC 8032).
  '1.3.101.112': { name: 'Ed25519', hash: 'sha512' },
  '1.3.101.113': { name: 'Ed448', hash: 'shake256' },
};
const RSASSA_PSS = '1.2.840.113549.1.1.10';

const HASH_OIDS: Record<string, string> = {
  '1.2.840.113549.2.5': 'md5',
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.8': 'sha3-256',
  '2.16.840.1.101.3.4.2.9': 'sha3-384',
  '2.16.840.1.101.3.4.2.10': 'sha3-512',
};

const KEY_OIDS: Record<string, string> = {
  '1.2.840.113549.1.1.1': 'RSA',
  [RSASSA_PSS]: 'RSA',
  '1.2.840.10045.2.1': 'EC',
  '1.2.840.10040.4.1': 'DSA',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

const SAN_OID = '2.5.29.17';
const { Class, Type } = forge.asn1;
type Asn1 = forge.asn1.Asn1;

function children(node: Asn1 | undefined, what: string): Asn1[] {
  if (!node || !Array.isArray(node.value)) throw new CertificateParseError(`malformed certificate: ${what} is not a constructed value`);
  return node.value;
}

function bytes(node: Asn1 | undefined, what: string): string {
  if (!node || typeof node.value !== 'string') throw new CertificateParseError(`malformed certificate: ${what} is not a primitive value`);
  return node.value;
}

function oidOf(algorithmIdentifier: Asn1 | undefined, what: string): string {
  return forge.asn1.derToOid(bytes(children(algorithmIdentifier, what)[0], `${what} OID`));
}

function timeOf(node: Asn1 | undefined, what: string): string {
  const v = bytes(node, what);
  const date = node!.type === Type.UTCTIME ? forge.asn1.utcTimeToDate(v) : forge.asn1.generalizedTimeToDate(v);
  if (Number.isNaN(date.getTime())) throw new CertificateParseError(`malformed certificate: ${what} is not a valid time`);
  return date.toISOString();
}

function signatureOf(algorithmIdentifier: Asn1): { signatureAlgorithm: string; signatureHash: string } {
  const oid = oidOf(algorithmIdentifier, 'signatureAlgorithm');
  const known = SIGNATURE_OIDS[oid];
  if (known) return { signatureAlgorithm: known.name, signatureHash: known.hash };
  if (oid === RSASSA_PSS) {
    // RSASSA-PSS-params: [0] hashAlgorithm, defaulting to SHA-1 when absent (RFC 4055, 3.1).
    const params = children(algorithmIdentifier, 'signatureAlgorithm')[1];
    const hashField = Array.isArray(params?.value)
      ? params.value.find((p) => p.tagClass === Class.CONTEXT_SPECIFIC && p.type === 0)
      : undefined;
    const hashOid = hashField ? oidOf(children(hashField, 'PSS hashAlgorithm')[0], 'PSS hashAlgorithm') : '1.3.14.3.2.26';
    return { signatureAlgorithm: 'RSASSA-PSS', signatureHash: HASH_OIDS[hashOid] ?? 'unknown' };
  }
  return { signatureAlgorithm: oid, signatureHash: 'unknown' };
}

/** IPv4 or IPv6 text form of a SAN iPAddress (4 or 16 raw bytes). */
function ipText(raw: string): string {
  const b = Buffer.from(raw, 'binary');
  if (b.length === 4) return [...b].join('.');
  if (b.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
    // The WHATWG URL parser prints IPv6 in canonical compressed form (RFC 5952).
    return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
  }
  return b.toString('hex');
}

function subjectAltNames(tbsFields: Asn1[]): { sanUris: string[]; sanDns: string[]; sanIps: string[] } {
  const out = { sanUris: [] as string[], sanDns: [] as string[], sanIps: [] as string[] };
  const extWrapper = tbsFields.find((f) => f.tagClass === Class.CONTEXT_SPECIFIC && f.type === 3);
  if (!extWrapper) return out;
  for (const ext of children(children(extWrapper, 'extensions')[0], 'extensions')) {
    const parts = children(ext, 'extension');
    if (forge.asn1.derToOid(bytes(parts[0], 'extnID')) !== SAN_OID) continue;
    const value = parts[parts.length - 1];
    const names = forge.asn1.fromDer(bytes(value, 'subjectAltName'));
    for (const gn of children(names, 'subjectAltName')) {
      if (gn.tagClass !== Class.CONTEXT_SPECIFIC || typeof gn.value !== 'string') continue;
      // GeneralName tags (RFC 5280, 4.2.1.6): [2] dNSName, [6] URI, [7] iPAddress.
      if (gn.type === 2) out.sanDns.push(forge.util.decodeUtf8(gn.value));
      else if (gn.type === 6) out.sanUris.push(forge.util.decodeUtf8(gn.value));
      else if (gn.type === 7) out.sanIps.push(ipText(gn.value));
    }
  }
  return out;
}

function keyFacts(x509: X509Certificate, spki: Asn1 | undefined): Pick<CertificateFacts, 'keyType' | 'keyBits' | 'curve'> {
  try {
    const key = x509.publicKey;
    const details = key.asymmetricKeyDetails ?? {};
    switch (key.asymmetricKeyType) {
      case 'rsa':
      case 'rsa-pss':
        return { keyType: 'RSA', keyBits: details.modulusLength };
      case 'dsa':
        return { keyType: 'DSA', keyBits: details.modulusLength };
      case 'ec': {
        // Field size read from the curve name (prime256v1, secp384r1, brainpoolP512r1, ...).
        const size = /(\d{3})/.exec(details.namedCurve ?? '')?.[1];
        return { keyType: 'EC', curve: details.namedCurve, keyBits: size ? Number(size) : undefined };
      }
      case 'ed25519':
        return { keyType: 'Ed25519' };
      case 'ed448':
        return { keyType: 'Ed448' };
      default:
        return { keyType: key.asymmetricKeyType ?? 'unknown' };
    }
  } catch {
    // OpenSSL could not load the key: report the algorithm OID so the grade is `unknown`, not a guess.
    const oid = oidOf(children(spki, 'subjectPublicKeyInfo')[0], 'subjectPublicKeyInfo algorithm');
    return { keyType: KEY_OIDS[oid] ?? `OID ${oid}` };
  }
}

function isSelfSigned(x509: X509Certificate): boolean {
  if (x509.subject !== x509.issuer) return false;
  try {
    return x509.verify(x509.publicKey);
  } catch {
    return false;
  }
}

/** Facts of one DER-encoded certificate. Throws CertificateParseError on input that is not a certificate. */
export function parseCertificate(der: Buffer): CertificateFacts {
  let x509: X509Certificate;
  let root: Asn1;
  try {
    x509 = new X509Certificate(der);
    root = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  } catch (e) {
    throw new CertificateParseError(`not a DER X.509 certificate: ${(e as Error).message}`);
  }
  const [tbs, sigAlg] = children(root, 'Certificate');
  const tbsFields = children(tbs, 'tbsCertificate');
  // The version field is optional ([0] EXPLICIT), so find the rest relative to it.
  const offset = tbsFields[0]?.tagClass === Class.CONTEXT_SPECIFIC ? 1 : 0;
  const validity = children(tbsFields[offset + 3], 'validity');
  const spki = tbsFields[offset + 5];
  const fingerprint = x509.fingerprint256.replace(/:/g, '').toLowerCase();

  return {
    // Node separates RDNs with newlines; a comma-separated one-liner reads better in reports.
    subject: x509.subject.split('\n').join(', '),
    issuer: x509.issuer.split('\n').join(', '),
    selfSigned: isSelfSigned(x509),
    serialNumber: x509.serialNumber,
    ...keyFacts(x509, spki),
    ...signatureOf(sigAlg!),
    notBefore: timeOf(validity[0], 'notBefore'),
    notAfter: timeOf(validity[1], 'notAfter'),
    ...subjectAltNames(tbsFields),
    sha256Fingerprint: fingerprint,
  };
}

export interface GradeCertificateOptions {
  now: Date;
  /** The applicationUri the server advertises (ApplicationDescription); the SAN URI must equal it. */
  expectedApplicationUri?: string;
  /** Set for OPC UA application instance certificates: a SAN URI is then mandatory. */
  requireApplicationUri?: boolean;
}

const DAY_MS = 86_400_000;
const YEAR_MS = 365.25 * DAY_MS;

function rule(subject: string, value: string, r: { grade: Finding['grade']; reason: string; source: string }): Finding {
  return { subject, value, grade: r.grade, reason: r.reason, source: r.source };
}

/** One finding per aspect: key, signature hash, validity window, lifetime, applicationUri (when asked), self-signed note. */
export function gradeCertificate(kb: KnowledgeBase, cert: CertificateFacts, opts: GradeCertificateOptions): Finding[] {
  const rules = kb.x509;
  const findings: Finding[] = [kb.x509Key(cert.keyType, cert.keyBits, cert.curve), kb.x509SignatureHash(cert.signatureHash)];

  const now = opts.now.getTime();
  const notBefore = Date.parse(cert.notBefore);
  const notAfter = Date.parse(cert.notAfter);
  if (Number.isNaN(notBefore) || Number.isNaN(notAfter)) {
    findings.push({
      subject: 'x509.validity',
      value: `${cert.notBefore} – ${cert.notAfter}`,
      grade: 'unknown',
      reason: 'The validity dates could not be read, so the validity window cannot be graded.',
      source: `otconform knowledge base ${kb.version}`,
    });
  } else {
    const v = rules.validity;
    const daysLeft = Math.floor((notAfter - now) / DAY_MS);
    if (now < notBefore) findings.push(rule('x509.validity', `not valid before ${cert.notBefore}`, v.notYetValid));
    else if (now > notAfter) findings.push(rule('x509.validity', `expired ${cert.notAfter}`, v.expired));
    else if (notAfter - now < v.expiringSoon.withinDays * DAY_MS) {
      findings.push(rule('x509.validity', `expires ${cert.notAfter} (${daysLeft} days left)`, v.expiringSoon));
    } else findings.push(rule('x509.validity', `valid until ${cert.notAfter} (${daysLeft} days left)`, v.valid));

    const years = (notAfter - notBefore) / YEAR_MS;
    const life = rules.lifetime.find((r) => r.maxYears === undefined || years <= r.maxYears)!;
    findings.push(rule('x509.lifetime', `${years.toFixed(1)} years`, life));
  }

  if (opts.requireApplicationUri || opts.expectedApplicationUri !== undefined) {
    const a = rules.applicationUri;
    const uris = cert.sanUris;
    const expected = opts.expectedApplicationUri;
    if (uris.length === 0) findings.push(rule('x509.applicationUri', '(no URI in subjectAltName)', a.missing));
    else if (expected === undefined) findings.push(rule('x509.applicationUri', uris.join(' '), a.present));
    else if (uris.includes(expected)) findings.push(rule('x509.applicationUri', expected, a.matches));
    else findings.push(rule('x509.applicationUri', `${uris.join(' ')} (server advertises ${expected})`, a.mismatch));
  }

  if (cert.selfSigned) findings.push(rule('x509.selfSigned', 'self-signed', rules.selfSigned));
  return findings;
}
