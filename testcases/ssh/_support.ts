// Shared by the SSH checks (and the ssh-audit comparison): grading a KEXINIT offer and served host keys
// with the knowledge base, and picking the account the session checks log in with.
import type { Profile } from '../../src/profiles/schema.js';
import type { Finding, KnowledgeBase } from '../../src/knowledge/index.js';
import { gradeRank } from '../../src/knowledge/index.js';
import type { SshAlgorithmFamily } from '../../src/knowledge/ssh-knowledge.js';
import type { HostKeyProbe } from '../../src/protocols/ssh/host-keys.js';
import type { KexInitLists } from '../../src/protocols/ssh/kexinit.js';

/** Roles the session checks may log in as, least privileged first. */
export const SESSION_ROLES = ['read-only', 'operator', 'engineer', 'admin'] as const;

/** Names in both directions, in order of first appearance. */
export function union(...lists: readonly string[][]): string[] {
  return [...new Set(lists.flat())];
}

export interface GradedOffer {
  findings: Finding[];
  /** kex names that signal extensions rather than select an algorithm. */
  markers: string[];
  /** Each family's offered names (both directions merged), as graded. */
  offered: Record<SshAlgorithmFamily, string[]>;
}

/** One finding per offered algorithm (markers aside), plus the Terrapin exposure of the offer as a whole. */
export function gradeOffer(kb: KnowledgeBase, k: KexInitLists): GradedOffer {
  const markers = k.kex.filter((n) => kb.ssh.marker(n));
  const offered: Record<SshAlgorithmFamily, string[]> = {
    kex: k.kex.filter((n) => !kb.ssh.marker(n)),
    hostKey: k.hostKey,
    cipher: union(k.cipherC2s, k.cipherS2c),
    mac: union(k.macC2s, k.macS2c),
    compression: union(k.compressionC2s, k.compressionS2c),
  };
  const findings: Finding[] = [];
  for (const family of Object.keys(offered) as SshAlgorithmFamily[]) {
    for (const name of offered[family]) findings.push(kb.ssh.algorithm(family, name));
  }
  findings.push(kb.ssh.terrapin({ kex: k.kex, ciphers: offered.cipher, macs: offered.mac }));
  return { findings, markers, offered };
}

/** The strength of a served key: RSA and DSA by size (ssh.yaml), EC and EdDSA keys by curve (x509.yaml). */
export function gradeServedKey(kb: KnowledgeBase, probe: Extract<HostKeyProbe, { status: 'served' }>): Finding {
  const { key } = probe;
  if ((key.keyType === 'rsa' || key.keyType === 'dsa') && key.bits !== undefined) return kb.ssh.hostKeySize(key.keyType, key.bits);
  if (key.keyType === 'ecdsa') return { ...kb.x509Key('ec', key.bits, key.curve), subject: 'ssh.hostKeySize' };
  if (key.keyType === 'ed25519' || key.keyType === 'ed448') return { ...kb.x509Key(key.keyType), subject: 'ssh.hostKeySize' };
  return {
    subject: 'ssh.hostKeySize',
    value: key.blobType,
    grade: 'unknown',
    reason: `The host key type "${key.blobType}" cannot be sized by the harness, so it must be reviewed by hand.`,
    source: `otconform knowledge base ${kb.version}`,
  };
}

/** The worse of two findings (unknown counts as worst: it can never be a pass). */
export function worse(a: Finding, b: Finding): Finding {
  const rank = (f: Finding) => (f.grade === 'unknown' ? -1 : gradeRank(f.grade));
  return rank(b) < rank(a) ? b : a;
}

/** "ssh.cipher 3des-cbc is broken; ..." for the worst few, for verdict reasons. */
export function nameFailing(failing: readonly Finding[], max = 4): string {
  const named = failing.slice(0, max).map((f) => `${f.subject.replace(/^ssh\./, '')} ${f.value} is ${f.grade}`);
  const rest = failing.length - max;
  return rest > 0 ? `${named.join('; ')} and ${rest} more` : named.join('; ');
}

/** Whether the profile has an SSH account the session checks may use (never the lockout account). */
export function sessionAccountMissing(profile: Profile): string | undefined {
  const usable = Object.entries(profile.credentials).some(
    ([name, c]) => name !== profile.safety.lockoutAccount && (!c.protocols || c.protocols.includes('ssh')) && (SESSION_ROLES as readonly string[]).includes(c.role),
  );
  return usable ? undefined : 'the profile has no SSH credential (other than the lockout account) to log in with';
}
