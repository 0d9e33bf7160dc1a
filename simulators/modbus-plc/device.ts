// The PLC as a whole: the scan task that runs the control logic, where the comms are serviced (inside the
// scan on a legacy device, on arrival on a hardened one), and the watchdog reset a fragile stack can trigger.
// The protocol stacks hand requests to submit(); they never touch the process image themselves.

import { busyWait } from '../opcua-server/slow-cpu.js';
import { CommCounters, serveRequest, type ApplicationContext } from './application.js';
import type { AccessPath, PlcPreset } from './presets.js';
import { PlcProcess } from './process.js';

export interface DeviceRequest {
  pdu: Buffer;
  access: AccessPath;
  reply: (pdu: Buffer) => void;
  /** False once the requester's connection is gone: its queued requests are discarded. */
  alive: () => boolean;
}

export class PlcDevice {
  readonly process = new PlcProcess();
  private readonly app: ApplicationContext;
  private queue: DeviceRequest[] = [];
  /** Comms CPU owed to the next scan (in-scan servicing). */
  private pendingCpuMs = 0;
  private haltedUntil = 0;
  private readonly scanBlockers = new Set<() => boolean>();
  private readonly resetListeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly preset: PlcPreset) {
    this.app = {
      process: this.process,
      behaviour: preset.application,
      identification: preset.identification,
      serverId: preset.serverId,
      counters: new CommCounters(),
    };
  }

  start(): void {
    this.running = true;
    this.schedule(this.preset.scanIntervalMs);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.queue = [];
  }

  /** A request from any stack: queued for the next scan, or served now, as the preset says. */
  submit(req: DeviceRequest): void {
    if (this.resetting) return;
    if (this.preset.comms.servicing === 'in-scan') this.queue.push(req);
    else this.serve(req);
  }

  /** A new connection costs the device CPU where its comms are serviced. */
  connectionOpened(): void {
    this.spendCommsCpu(this.preset.comms.costPerConnectionMs);
  }

  /**
   * Comms work of any protocol (also the OPC UA server's channel and session set-up in one-device mode):
   * spent inside the next scan on a device whose comms run in the scan, at once otherwise.
   */
  spendCommsCpu(ms: number): void {
    if (this.preset.comms.servicing === 'in-scan') this.pendingCpuMs += ms;
    else busyWait(ms);
  }

  /** While any blocker returns true, scans do not complete (a stack waiting for the rest of a frame). */
  addScanBlocker(blocked: () => boolean): () => void {
    this.scanBlockers.add(blocked);
    return () => this.scanBlockers.delete(blocked);
  }

  onWatchdogReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  get resetting(): boolean {
    return Date.now() < this.haltedUntil;
  }

  /** The comms crashed the device: every stack drops its connections and the scan stops for a while. */
  watchdogReset(): void {
    if (this.resetting) return;
    this.haltedUntil = Date.now() + this.preset.watchdogResetMs;
    this.queue = [];
    this.pendingCpuMs = 0;
    for (const listener of this.resetListeners) listener();
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => this.scan(), delayMs);
    this.timer.unref(); // the listening sockets keep the process alive, not the scan
  }

  private scan(): void {
    const started = performance.now();
    if (this.resetting || [...this.scanBlockers].some((blocked) => blocked())) {
      this.schedule(this.preset.scanIntervalMs); // no completed scan: the heartbeat stands still
      return;
    }
    if (this.preset.comms.servicing === 'in-scan') this.serviceComms();
    this.process.step();
    const duration = performance.now() - started;
    this.process.completeScan(duration);
    this.schedule(Math.max(0, this.preset.scanIntervalMs - duration));
  }

  /** The legacy comms task: connection (and channel, session) set-up first, then every queued request. */
  private serviceComms(): void {
    busyWait(this.pendingCpuMs);
    this.pendingCpuMs = 0;
    const queue = this.queue;
    this.queue = [];
    for (const req of queue) if (req.alive()) this.serve(req);
  }

  private serve(req: DeviceRequest): void {
    busyWait(this.preset.comms.costPerRequestMs);
    req.reply(serveRequest(req.pdu, req.access, this.app));
  }
}
