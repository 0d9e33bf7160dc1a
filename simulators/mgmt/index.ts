// The simulated device's management services: SSH maintenance shell, HTTPS web UI and (weak only) a
// Telnet-like plaintext console, sharing one account store. See CONTRACT.md for the behaviour.
//
//   const mgmt = await startManagementServices({ preset: 'weak', pkiDir });
//   mgmt.ssh.port, mgmt.https.port, mgmt.https.caFile, mgmt.plaintext?.port; await mgmt.stop();

import type net from 'node:net';
import { closeServer, listen } from '../modbus-plc/listen.js';
import { createAccountStore } from './accounts.js';
import { createConsoleService } from './console-server.js';
import { ensureHostKeys, ensureWebCredentials } from './pki.js';
import { MGMT_PRESETS, type MgmtPreset, type MgmtPresetName } from './presets.js';
import type { DeviceStatus } from './shell.js';
import { createSshService } from './ssh-server.js';
import { createWebService } from './web-server.js';

export { MGMT_PRESETS } from './presets.js';
export type { LoginPolicy, MgmtAccount, MgmtPreset, MgmtPresetName, SshBehaviour, WebBehaviour, WebTls } from './presets.js';
export type { DeviceStatus } from './shell.js';
export { SHELL_PROMPT } from './shell.js';

export interface MgmtOptions {
  preset: MgmtPresetName;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = a free port (default 0). */
  sshPort?: number;
  /** 0 = a free port (default 0). */
  httpsPort?: number;
  /** Weak only (ignored for a preset without a plaintext console); 0 = a free port (default 0). */
  plaintextPort?: number;
  /** Where certificates and host keys are created once and reused. */
  pkiDir: string;
  /** What `status` and /api/status report; default: a simulated tank and a heartbeat counting seconds. */
  status?: () => DeviceStatus;
  /** Diagnostic messages (never passwords); default: silent. */
  log?: (msg: string) => void;
  /** Overrides preset fields, e.g. a shorter lockout for one test. */
  presetOverride?: (preset: MgmtPreset) => MgmtPreset;
}

export interface MgmtServices {
  ssh: { port: number };
  /** caFile: the CA that issued the HTTPS certificate (weak: the self-signed certificate itself). */
  https: { port: number; caFile: string };
  /** Weak only. */
  plaintext?: { port: number };
  stop(): Promise<void>;
}

export async function startManagementServices(o: MgmtOptions): Promise<MgmtServices> {
  const base = MGMT_PRESETS[o.preset];
  if (!base) throw new Error(`unknown management preset: ${String(o.preset)}`);
  const preset = o.presetOverride ? o.presetOverride(base) : base;
  const host = o.host ?? '127.0.0.1';
  const log = o.log ?? (() => {});
  const status = o.status ?? simulatedStatus();
  const accounts = createAccountStore(preset.accounts, preset.login, log);

  // One after the other: the device CA's PKI is published by renaming a whole folder onto pkiDir when that is empty.
  const credentials = await ensureWebCredentials(o.pkiDir, preset.web.tls);
  const hostKeys = await ensureHostKeys(o.pkiDir, preset.ssh.hostKeys);

  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    await Promise.all(cleanups.splice(0).map((c) => c().catch(() => {})));
  };
  const serve = async (listener: net.Server, closeAll: () => void, port: number, service: string) => {
    cleanups.push(async () => {
      const closed = closeServer(listener);
      closeAll();
      await closed;
    });
    return listen(listener, host, port, service);
  };

  try {
    const ssh = createSshService({ behaviour: preset.ssh, accounts, hostKeys, status, version: preset.firmwareVersion, log });
    const sshPort = await serve(ssh.listener, ssh.closeAll, o.sshPort ?? 0, 'SSH');

    const web = createWebService({ behaviour: preset.web, accounts, credentials, status, log });
    const httpsPort = await serve(web.server, web.closeAll, o.httpsPort ?? 0, 'HTTPS');

    let plaintext: MgmtServices['plaintext'];
    if (preset.plaintextConsole) {
      const console = createConsoleService({ greeting: preset.plaintextConsole.greeting, accounts, status, version: preset.firmwareVersion, log });
      plaintext = { port: await serve(console.listener, console.closeAll, o.plaintextPort ?? 0, 'plaintext console') };
    }

    let stopping: Promise<void> | undefined;
    return {
      ssh: { port: sshPort },
      https: { port: httpsPort, caFile: credentials.caFile },
      ...(plaintext ? { plaintext } : {}),
      stop: () => (stopping ??= cleanup()),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** A tank that fills and drains slowly, and a heartbeat counting seconds since start. */
function simulatedStatus(): () => DeviceStatus {
  const started = Date.now();
  return () => {
    const s = (Date.now() - started) / 1000;
    return { level: 50 + 30 * Math.sin(s / 20), heartbeat: Math.floor(s) };
  };
}
