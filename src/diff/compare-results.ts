// What changed inside one check's result between two runs: its findings (subject + value + grade), its
// measurements, and the certificates and host keys its evidence names. Pure: identities come in as data.
//
// Every difference is first an atomic item (one finding, one measurement, one identity) whose state is
// compared; the baseline filter works on those items; only then are a removal and an addition of the same
// subject paired into one readable "changed" line.
import type { CheckResult } from '../core/result.js';
import type { Finding, Grade } from '../knowledge/types.js';
import type { Change, Observed } from './types.js';
import { comparableValue, isVolatileMeasurement } from './volatile.js';

/** A certificate or SSH host key named by a check's evidence. */
export interface Identity {
  kind: 'certificate' | 'host-key';
  /** Certificate subject, or host-key type and size. */
  label: string;
  fingerprint: string;
  serial?: string;
}

/** One comparable item of a result, with the state it has in one run (undefined: absent). */
interface Item {
  key: string;
  kind: Change['kind'];
  subject: string;
  /** The state compared across runs. */
  state: string;
  shown: Observed;
}

/** The items of one result, keyed. */
export type ItemMap = Map<string, Item>;

export function itemsOf(result: CheckResult, identities: Identity[]): ItemMap {
  const items: ItemMap = new Map();
  for (const id of identities) {
    const key = `${id.kind}\u0000${id.fingerprint}`;
    // The label is part of the subject, so a certificate re-issued under the same name pairs into one line.
    items.set(key, { key, kind: id.kind, subject: `${id.kind === 'certificate' ? 'certificate' : 'SSH host key'} ${id.label}`, state: 'present', shown: identityShown(id) });
  }
  // The same subject and value can be found twice (e.g. one suite under two TLS versions): keep each once.
  const counts = new Map<string, number>();
  for (const f of result.findings) {
    const base = `finding\u0000${f.subject}\u0000${comparableValue(f.value)}`;
    const n = (counts.get(base) ?? 0) + 1;
    counts.set(base, n);
    const key = n === 1 ? base : `${base}\u0000${n}`;
    items.set(key, { key, kind: 'finding', subject: f.subject, state: f.grade, shown: findingShown(f) });
  }
  for (const [name, m] of Object.entries(result.measurements)) {
    if (isVolatileMeasurement(name, m)) continue;
    const key = `measurement\u0000${name}`;
    const value = String(m.value);
    items.set(key, { key, kind: 'measurement', subject: name, state: `${value}\u0000${m.unit ?? ''}`, shown: { value, ...(m.unit ? { unit: m.unit } : {}) } });
  }
  return items;
}

/** An atomic difference: one item's state in the old and the new run. */
export interface ItemChange {
  key: string;
  kind: Change['kind'];
  subject: string;
  old?: Item;
  new?: Item;
}

export function itemChanges(oldItems: ItemMap, newItems: ItemMap): ItemChange[] {
  const out: ItemChange[] = [];
  for (const key of new Set([...oldItems.keys(), ...newItems.keys()])) {
    const o = oldItems.get(key);
    const n = newItems.get(key);
    if (o && n && o.state === n.state) continue;
    const any = (n ?? o)!;
    out.push({ key, kind: any.kind, subject: any.subject, ...(o ? { old: o } : {}), ...(n ? { new: n } : {}) });
  }
  return out;
}

/** True when the baseline already has the new run's state of this item, i.e. the baseline had this difference. */
export function baselineHas(change: ItemChange, baselineItems: ItemMap): boolean {
  const b = baselineItems.get(change.key);
  if (!change.new) return b === undefined;
  return b !== undefined && b.state === change.new.state;
}

const KIND_ORDER: Change['kind'][] = ['certificate', 'host-key', 'finding', 'measurement'];

/** Readable changes: a lone removal and a lone addition of the same subject become one "changed" line. */
export function toChanges(items: ItemChange[]): Change[] {
  const out: Change[] = [];
  const bySubject = new Map<string, ItemChange[]>();
  for (const c of items) {
    const group = `${c.kind}\u0000${c.subject}`;
    bySubject.set(group, [...(bySubject.get(group) ?? []), c]);
  }
  for (const group of bySubject.values()) {
    const partner = pairs(group);
    for (const c of group) {
      const replacedBy = partner.get(c);
      if (replacedBy === null) continue; // shown with the removal it replaces
      if (replacedBy) {
        out.push({ kind: c.kind, change: 'changed', subject: c.subject, old: c.old!.shown, new: replacedBy.new!.shown });
      } else if (c.old && c.new) {
        out.push({ kind: c.kind, change: 'changed', subject: c.subject, old: c.old.shown, new: c.new.shown });
      } else if (c.new) {
        out.push({ kind: c.kind, change: 'added', subject: c.subject, new: c.new.shown });
      } else {
        out.push({ kind: c.kind, change: 'removed', subject: c.subject, old: c.old!.shown });
      }
    }
  }
  // Per subject: additions first, then changes, then removals; within each the worst grade first, so the
  // lines a reader must see survive the cut to the first few.
  return out.sort(
    (a, b) =>
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      a.subject.localeCompare(b.subject) ||
      CHANGE_ORDER.indexOf(a.change) - CHANGE_ORDER.indexOf(b.change) ||
      severity(a) - severity(b) ||
      (a.new ?? a.old)!.value.localeCompare((b.new ?? b.old)!.value),
  );
}

/**
 * A lone removal and a lone addition of one subject are one replacement (a new key size, a re-issued
 * certificate of the same name). Maps the removal to its addition, and the addition to null.
 */
function pairs(group: ItemChange[]): Map<ItemChange, ItemChange | null> {
  const out = new Map<ItemChange, ItemChange | null>();
  const removed = group.filter((c) => c.old && !c.new);
  const added = group.filter((c) => c.new && !c.old);
  if (removed.length === 1 && added.length === 1) {
    out.set(removed[0]!, added[0]!);
    out.set(added[0]!, null);
  }
  return out;
}

const CHANGE_ORDER: Change['change'][] = ['added', 'changed', 'removed'];
const GRADE_ORDER: Grade[] = ['broken', 'weak', 'unknown', 'acceptable', 'strong'];

function severity(c: Change): number {
  const grade = (c.new ?? c.old)?.grade;
  return grade ? GRADE_ORDER.indexOf(grade) : GRADE_ORDER.length;
}

function findingShown(f: Finding): Observed {
  return { value: f.value, grade: f.grade as Grade };
}

function identityShown(id: Identity): Observed {
  const short = id.fingerprint.length > 24 ? `${id.fingerprint.slice(0, 23)}…` : id.fingerprint;
  const facts = [...(id.serial ? [`serial ${id.serial}`] : []), `${id.kind === 'certificate' ? 'sha256 ' : ''}${short}`];
  return { value: facts.join(', '), fingerprint: id.fingerprint, ...(id.serial ? { serial: id.serial } : {}) };
}
