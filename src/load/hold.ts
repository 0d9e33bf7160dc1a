// The mechanism both connection floods share: open connections at a paced rate, hold every one the peer
// accepts, count the ones it closes while the flood lasts, and close them all at the end.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { paced, rate } from './pacing.js';

export interface HoldStats {
  durationMs: number;
  attempted: number;
  opened: number;
  refused: number;
  /** Opened, then closed by the peer before the flood ended (a connection limit at work). */
  closedByPeer: number;
  /** Still open when the flood ended. */
  heldAtEnd: number;
  openedPerSecond: number;
}

export async function holdConnectionsAtRate(o: {
  /** One connection attempt: the socket, or undefined when the peer refused it. May reject (= refused). */
  open: () => Promise<Socket | undefined>;
  targetRate: number;
  durationMs: number;
  signal: AbortSignal;
  /** How long attempts still in flight at the end may take to settle (and be closed). */
  settleMs: number;
  /** Called for each connection as it is held, e.g. to send one request on it. */
  onHeld?: (socket: Socket) => void;
}): Promise<HoldStats> {
  const stats: HoldStats = { durationMs: 0, attempted: 0, opened: 0, refused: 0, closedByPeer: 0, heldAtEnd: 0, openedPerSecond: 0 };
  const held = new Set<Socket>();
  const pending: Promise<void>[] = [];
  let stopping = false;
  const t0 = performance.now();
  await paced(o.targetRate, o.durationMs, o.signal, () => {
    stats.attempted++;
    pending.push(
      o.open().then(
        (socket) => {
          if (!socket) return void stats.refused++;
          stats.opened++;
          if (stopping) return void socket.destroy();
          held.add(socket);
          socket.on('error', () => undefined);
          socket.once('close', () => {
            held.delete(socket);
            if (!stopping) stats.closedByPeer++;
          });
          o.onHeld?.(socket);
        },
        () => void stats.refused++,
      ),
    );
  });
  stats.durationMs = Math.round(performance.now() - t0);
  stopping = true;
  stats.heldAtEnd = held.size;
  for (const s of held) s.destroy();
  await Promise.race([Promise.allSettled(pending), new Promise((r) => setTimeout(r, o.settleMs))]);
  stats.openedPerSecond = rate(stats.opened, stats.durationMs);
  return stats;
}
