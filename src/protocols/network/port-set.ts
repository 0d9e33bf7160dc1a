// Which ports the sweep tries: the profile's list, or the knowledge base's well-known ports plus the profile's
// extras; the declared ports always, since the inventory compares against them. Refuses to grow past maxPorts.
import type { NetworkSettings } from '../../profiles/schema.js';

export type PortSpec = number | string;

/** The port set cannot be built (bad range, or more ports than the profile allows). */
export class PortSetError extends Error {
  override name = 'PortSetError';
}

export interface PortPlan {
  /** Ascending, without duplicates. */
  ports: number[];
  /** profile: network.ports; default: the well-known ports plus network.extraPorts. */
  origin: 'profile' | 'default';
}

const MAX_PORT = 65_535;

/** Expands ports and "from-to" ranges into the set they name. */
export function expandPortSpecs(specs: readonly PortSpec[], into = new Set<number>()): Set<number> {
  for (const spec of specs) {
    const [from, to] = typeof spec === 'number' ? [spec, spec] : parseRange(spec);
    for (let p = from; p <= to; p++) into.add(p);
  }
  return into;
}

function parseRange(spec: string): [number, number] {
  const m = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(spec);
  if (!m) throw new PortSetError(`"${spec}" is neither a port nor a range "from-to"`);
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < 1 || to > MAX_PORT || from > to) throw new PortSetError(`"${spec}" is not a range of ports between 1 and ${MAX_PORT} with from <= to`);
  return [from, to];
}

export function planSweepPorts(o: { settings: NetworkSettings; declared: readonly number[]; wellKnown: readonly number[] }): PortPlan {
  const { settings } = o;
  const origin = settings.ports ? 'profile' : 'default';
  const set = settings.ports ? expandPortSpecs(settings.ports) : expandPortSpecs(settings.extraPorts, new Set(o.wellKnown));
  for (const p of o.declared) set.add(p);
  if (set.size > settings.maxPorts) {
    const what = origin === 'profile' ? 'network.ports' : 'the well-known ports plus network.extraPorts';
    throw new PortSetError(
      `the sweep would try ${set.size} ports (${what}, plus the declared ones), more than network.maxPorts (${settings.maxPorts}); narrow the list or raise maxPorts deliberately`,
    );
  }
  return { ports: [...set].sort((a, b) => a - b), origin };
}
