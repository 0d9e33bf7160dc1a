// A slow device CPU, modelled: work that blocks everything else the device does while it runs.
// Shared by the OPC UA simulator (channel and session set-up) and the Modbus PLC simulator (comms in the scan).

/** Spends ms of synchronous CPU; nothing else in the process (scan, other clients) runs meanwhile. */
export function busyWait(ms: number): void {
  if (ms <= 0) return;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin: a real slow CPU does not yield either
  }
}
