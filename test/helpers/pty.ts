// A virtual null-modem cable for serial tests: two linked ptys made by socat, one end for the device under
// test, the other for the client. socat is an external tool, so tests call requireSocat() first: in CI a
// missing socat fails loudly; on a developer machine the serial tests are skipped with a loud warning.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';

export interface PtyPair {
  /** Path of one end (a symlink to /dev/pts/N). */
  a: string;
  b: string;
  close(): Promise<void>;
}

const LINK_TIMEOUT_MS = 5000;

let available: boolean | undefined;

export function socatAvailable(): boolean {
  available ??= !spawnSync('socat', ['-V'], { stdio: 'ignore' }).error;
  return available;
}

/** A linked pty pair, or undefined when socat is missing or does not come up. */
export async function openPtyPair(): Promise<PtyPair | undefined> {
  if (!socatAvailable()) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'otconform-pty-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + LINK_TIMEOUT_MS;
  while (!(existsSync(a) && existsSync(b))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await close();
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { a, b, close };
}

/** The part of a tap Test this needs. */
type Asserts = Pick<Test, 'fail' | 'pass'>;

/**
 * True when socat is there. Otherwise: in CI (process.env.CI set) the test fails with a clear message;
 * locally a loud warning goes to stderr and the test records a skip.
 */
export function requireSocat(t: Asserts): boolean {
  if (socatAvailable()) return true;
  const message = 'socat is not installed, so the Modbus RTU tests over a virtual serial line cannot run';
  if (process.env.CI) {
    t.fail(`${message}. Install socat in the CI image (apt-get install socat).`);
  } else {
    process.stderr.write(
      `\n!!!!!!!!!!\n!!! SERIAL TESTS SKIPPED: socat is not installed (apt-get install socat / brew install socat).\n!!!!!!!!!!\n\n`,
    );
    t.pass('serial tests', { skip: message });
  }
  return false;
}
