// Network service knowledge: the well-known TCP ports of industrial and management services, the greetings
// servers send on their own, and whether each protocol carries credentials or commands in clear.
// Everything named here comes from network-services.yaml; this file only indexes it and answers lookups.
import { z } from 'zod';
import { finding, unknownFinding } from './findings.js';
import { knownGrade, text } from './schema.js';
import type { Finding, KnownGrade } from './types.js';

/** The service kinds a profile declares (services.* and Modbus/TCP Security), to name a declared port. */
export const DECLARED_KINDS = ['opcua', 'modbus', 'modbus-tls', 'ssh', 'https', 'tls'] as const;
export type DeclaredKind = (typeof DECLARED_KINDS)[number];

const port = z.number().int().min(1).max(65535);
const slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'ids are kebab-case');

const compiles = (pattern: string) => {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
};

const serviceEntry = z
  .strictObject({
    id: slug,
    name: text,
    aliases: z.array(text).default([]),
    /** Well-known ports; empty for a service recognised only by what it says (e.g. SSH protocol 1). */
    ports: z.array(port).default([]),
    transport: z.array(z.enum(['tcp', 'udp'])).min(1).default(['tcp']),
    /** management: people configure or operate the device through it; industrial: process data. */
    category: z.enum(['industrial', 'management', 'other']),
    /** Whether credentials or commands cross the network unencrypted: yes, no, or depends on version/configuration. */
    plaintext: z.enum(['yes', 'no', 'depends']),
    /** How well a management protocol protects what it carries in transit; only where plaintext is yes or no. */
    grade: knownGrade.optional(),
    reason: text,
    source: text,
    note: text.optional(),
    declaredAs: z.array(z.enum(DECLARED_KINDS)).default([]),
  })
  .refine((e) => (e.category === 'management' && e.plaintext !== 'depends') === (e.grade !== undefined), {
    message: 'a management service whose plaintext is yes or no needs a grade, and nothing else may have one',
  });

const bannerEntry = z.strictObject({
  /** The id of the service this greeting identifies. */
  service: slug,
  /** A JavaScript regular expression over the greeting's bytes read as latin1 (so \xFF is byte 0xFF). */
  pattern: text.refine(compiles, { message: 'is not a valid regular expression' }),
  ignoreCase: z.boolean().default(false),
  /** What the pattern recognises, for the report. */
  what: text,
  source: text,
});

export const networkDataSchema = z.strictObject({
  services: z.array(serviceEntry).min(1),
  /** Tried in order; the first match wins, so specific patterns come before general ones. */
  banners: z.array(bannerEntry).min(1),
});
export type NetworkData = z.infer<typeof networkDataSchema>;

export interface NetworkServiceEntry {
  id: string;
  name: string;
  aliases: readonly string[];
  ports: readonly number[];
  transport: readonly ('tcp' | 'udp')[];
  category: 'industrial' | 'management' | 'other';
  plaintext: 'yes' | 'no' | 'depends';
  grade?: KnownGrade;
  reason: string;
  source: string;
  note?: string;
}

/** How a port's service was named, strongest first. Only banner and declared are positive identifications. */
export type IdentifiedBy = 'banner' | 'declared' | 'port-number' | 'nothing';

export interface Identification {
  port: number;
  /** Undefined when nothing identifies the service. */
  service?: NetworkServiceEntry;
  by: IdentifiedBy;
  /** One phrase a reader understands, e.g. 'Telnet option negotiation: "\xFF\xFB\x01..."'. */
  evidence: string;
  /** Software the greeting names, e.g. dropbear_2012.55. */
  product?: string;
}

export interface IdentifyInput {
  port: number;
  /** What the server sent on its own after the connection opened; empty or absent when it said nothing. */
  greeting?: Buffer;
  /** The profile's entry for this port: its kind when it is a declared service, and its label. */
  declared?: { kind?: DeclaredKind; label: string };
}

export interface NetworkKnowledge {
  /** Every well-known TCP port of the data, ascending: the sweep's default port set. */
  wellKnownTcpPorts(): number[];
  /** The entry registered for a TCP or UDP port, if any. */
  byPort(port: number): NetworkServiceEntry | undefined;
  /** The entry whose name or alias is the text, or one of its words ('Telnet console' → Telnet). */
  byName(name: string): NetworkServiceEntry | undefined;
  /** Names the service on an open port: by its greeting, else by the profile's declaration, else by its port number. */
  identify(input: IdentifyInput): Identification;
  /**
   * The plaintext-management finding for one open port (subject network.managementProtocol), or undefined
   * when a positively identified service is not a management protocol. Anything not positively identified
   * is an unknown finding: without a probe, a silent port could be anything.
   */
  managementFinding(id: Identification): Finding | undefined;
}

/** Same rule as the knowledge base's names: case and punctuation do not matter. */
const normalize = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

const MAX_EXCERPT = 72;

/** A greeting as a reader sees it: printable ASCII kept, everything else escaped, cut at MAX_EXCERPT characters. */
export function printableGreeting(bytes: Buffer, max = MAX_EXCERPT): string {
  let out = '';
  for (const b of bytes) {
    const c =
      b === 0x0d ? '\\r' : b === 0x0a ? '\\n' : b === 0x09 ? '\\t' : b === 0x5c ? '\\\\' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (out.length + c.length > max) return `${out}…`;
    out += c;
  }
  return out;
}

export function buildNetworkKnowledge(data: NetworkData, version: string, problems: string[]): NetworkKnowledge {
  const file = 'network-services.yaml';
  const entries: NetworkServiceEntry[] = data.services.map((s) => ({
    id: s.id,
    name: s.name,
    aliases: s.aliases,
    ports: s.ports,
    transport: s.transport,
    category: s.category,
    plaintext: s.plaintext,
    ...(s.grade ? { grade: s.grade } : {}),
    reason: s.reason,
    source: s.source,
    ...(s.note ? { note: s.note } : {}),
  }));
  const byId = new Map<string, NetworkServiceEntry>();
  const byPortMap = new Map<number, NetworkServiceEntry>();
  const byNameMap = new Map<string, NetworkServiceEntry>();
  const byKind = new Map<DeclaredKind, NetworkServiceEntry>();
  data.services.forEach((s, i) => {
    const e = entries[i]!;
    if (byId.has(s.id)) problems.push(`${file}: service id "${s.id}" is used twice`);
    byId.set(s.id, e);
    for (const p of s.ports) {
      const prior = byPortMap.get(p);
      if (prior) problems.push(`${file}: port ${p} belongs to both "${prior.id}" and "${s.id}" (name the other use in a note)`);
      byPortMap.set(p, e);
    }
    for (const n of [s.name, ...s.aliases].map(normalize)) {
      const prior = byNameMap.get(n);
      if (prior && prior !== e) problems.push(`${file}: "${s.id}" and "${prior.id}" both answer to the name "${n}"`);
      byNameMap.set(n, e);
    }
    for (const k of s.declaredAs) {
      const prior = byKind.get(k);
      if (prior) problems.push(`${file}: declared kind "${k}" maps to both "${prior.id}" and "${s.id}"`);
      byKind.set(k, e);
    }
  });
  for (const k of DECLARED_KINDS) if (!byKind.has(k)) problems.push(`${file}: no service has declaredAs "${k}"`);
  const banners = data.banners.map((b) => {
    const service = byId.get(b.service);
    if (!service) problems.push(`${file}: banner pattern ${b.pattern} names the unknown service "${b.service}"`);
    return { regex: new RegExp(b.pattern, b.ignoreCase ? 'i' : ''), what: b.what, service };
  });

  const tcpPorts = [...new Set(entries.filter((e) => e.transport.includes('tcp')).flatMap((e) => e.ports))].sort((a, b) => a - b);

  const byName = (name: string): NetworkServiceEntry | undefined => {
    const whole = byNameMap.get(normalize(name));
    if (whole) return whole;
    for (const word of name.split(/[\s,;()/]+/)) {
      const hit = word ? byNameMap.get(normalize(word)) : undefined;
      if (hit) return hit;
    }
    return undefined;
  };

  const identify = ({ port, greeting, declared }: IdentifyInput): Identification => {
    const said = greeting && greeting.length > 0 ? greeting : undefined;
    if (said) {
      const latin1 = said.toString('latin1');
      for (const b of banners) {
        const m = b.regex.exec(latin1);
        if (!m || !b.service) continue;
        const product = m.groups?.product?.trim();
        return { port, service: b.service, by: 'banner', evidence: `${b.what}: "${printableGreeting(said)}"`, ...(product ? { product } : {}) };
      }
    }
    if (declared) {
      const service = declared.kind ? byKind.get(declared.kind) : byName(declared.label);
      if (service) return { port, service, by: 'declared', evidence: `declared in the profile as ${declared.label}${said ? `; it greets with "${printableGreeting(said)}"` : ''}` };
      return { port, by: 'declared', evidence: `declared in the profile as "${declared.label}", which the knowledge base cannot classify${said ? `; it greets with "${printableGreeting(said)}"` : ''}` };
    }
    const usual = byPortMap.get(port);
    if (said) {
      return { port, by: 'nothing', evidence: `an unrecognised greeting "${printableGreeting(said)}"${usual ? ` (port ${port} is usually ${usual.name})` : ''}` };
    }
    if (usual) return { port, service: usual, by: 'port-number', evidence: `said nothing on its own; ${port} is the well-known port of ${usual.name}` };
    return { port, by: 'nothing', evidence: 'said nothing on its own, and the port is not a well-known one' };
  };

  const managementFinding = (id: Identification): Finding | undefined => {
    const subject = 'network.managementProtocol';
    const s = id.service;
    const positive = id.by === 'banner' || (id.by === 'declared' && s !== undefined);
    if (positive && s) {
      if (s.category !== 'management') return undefined;
      const value = `${s.name} on TCP ${id.port}`;
      if (s.grade) return finding(subject, value, { grade: s.grade, reason: s.reason, source: s.source });
      return unknownFinding(subject, value, 'Management protocol', version, `${s.reason} Without a protocol probe otconform cannot tell which, so review its configuration by hand.`);
    }
    const guess = s ? `probably ${s.name}, ` : '';
    return unknownFinding(
      subject,
      `TCP ${id.port}`,
      'Service',
      version,
      `The service on TCP ${id.port} (${guess}${id.evidence}) is not identified, and otconform sends no probes to unidentified ports, so it may or may not carry management traffic in clear; declare it in the profile or review it by hand.`,
    );
  };

  return {
    wellKnownTcpPorts: () => [...tcpPorts],
    byPort: (p) => byPortMap.get(p),
    byName,
    identify,
    managementFinding,
  };
}
