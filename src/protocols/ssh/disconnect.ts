// An SSH DISCONNECT as a comparable answer: the reason code's name plus the device's text, with the parts
// that change from one connection to the next (addresses, ports, counters) taken out.

const REASONS: Record<number, string> = {
  1: 'HOST_NOT_ALLOWED_TO_CONNECT',
  2: 'PROTOCOL_ERROR',
  3: 'KEY_EXCHANGE_FAILED',
  4: 'RESERVED',
  5: 'MAC_ERROR',
  6: 'COMPRESSION_ERROR',
  7: 'SERVICE_NOT_AVAILABLE',
  8: 'PROTOCOL_VERSION_NOT_SUPPORTED',
  9: 'HOST_KEY_NOT_VERIFIABLE',
  10: 'CONNECTION_LOST',
  11: 'BY_APPLICATION',
  12: 'TOO_MANY_CONNECTIONS',
  13: 'AUTH_CANCELED_BY_USER',
  14: 'NO_MORE_AUTH_METHODS_AVAILABLE',
  15: 'ILLEGAL_USER_NAME',
};

/** Longest description kept: a hostile device must not fill the evidence. */
const MAX_TEXT = 200;

export function disconnectReasonName(code: number): string {
  return REASONS[code] ?? `reason ${code}`;
}

/** "DISCONNECT NO_MORE_AUTH_METHODS_AVAILABLE: Too many authentication failures for <user> from <addr> port <n>". */
export function disconnectAnswer(code: number, description: string): string {
  const name = disconnectReasonName(code);
  const text = normaliseText(description);
  return text && text !== name ? `DISCONNECT ${name}: ${text}` : `DISCONNECT ${name}`;
}

export function normaliseText(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g, '<addr>')
    .replace(/\b[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}\b/gi, '<addr>')
    .replace(/\bport \d+\b/gi, 'port <n>')
    .replace(/\d{2,}/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_TEXT);
}
