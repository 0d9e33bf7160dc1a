// Everything ssh2 can speak, offered by every probing client: a legacy device must still negotiate, or the
// harness could not log in to (or look at) exactly the devices whose weaknesses it is meant to report.
import { createRequire } from 'node:module';
import type { Algorithms } from 'ssh2';

interface Ssh2Constants {
  SUPPORTED_KEX: string[];
  SUPPORTED_SERVER_HOST_KEY: string[];
  SUPPORTED_CIPHER: string[];
  SUPPORTED_MAC: string[];
  SUPPORTED_COMPRESSION: string[];
}

// ssh2 keeps its algorithm tables in a module it does not type; read them instead of copying them.
const constants = createRequire(import.meta.url)('ssh2/lib/protocol/constants.js') as Ssh2Constants;

/** What this build of ssh2 (with this Node's OpenSSL) can negotiate, per algorithm family. */
export const ssh2Supported = {
  kex: [...constants.SUPPORTED_KEX],
  hostKey: [...constants.SUPPORTED_SERVER_HOST_KEY],
  cipher: [...constants.SUPPORTED_CIPHER],
  mac: [...constants.SUPPORTED_MAC],
  compression: [...constants.SUPPORTED_COMPRESSION],
} as const;

/** The widest offer; `hostKey` narrows the host-key list (one algorithm per probe in the host-key reader). */
export function offerEverything(hostKey: readonly string[] = ssh2Supported.hostKey): Algorithms {
  return {
    kex: [...ssh2Supported.kex],
    serverHostKey: [...hostKey],
    cipher: [...ssh2Supported.cipher],
    hmac: [...ssh2Supported.mac],
    compress: [...ssh2Supported.compression],
  } as Algorithms;
}
