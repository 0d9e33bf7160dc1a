// Turning node-opcua failures into a SessionAttempt the checks can reason about.
// node-opcua puts OPC UA status codes only into err.message, so we parse /Bad\w+/ out of it.
// Failures that are not the device's answer get a code of our own (no "Bad" prefix), so a check
// can tell "the device refused" from "we could not ask":
//   ClientCannotNegotiate  the local runtime cannot do the policy's cryptography
//   EndpointNotOffered     the device does not advertise that policy/mode (client did not ask)
//   TokenTypeNotOffered    the endpoint does not advertise that identity token (client did not send it)
//   ConnectionRefused / ConnectionFailed / Timeout / Aborted / ClientError

export interface SessionAttempt {
  ok: boolean;
  /** OPC UA status name (e.g. 'BadUserAccessDenied') or one of the local codes above. */
  statusCode?: string;
  message?: string;
}

export function refusalFromError(err: unknown): SessionAttempt {
  const message = err instanceof Error ? err.message : String(err);
  const short = message.replace(/\s+/g, ' ').trim().slice(0, 300);
  const bad = /Bad\w+/.exec(message)?.[0];
  if (bad) return { ok: false, statusCode: bad, message: short };
  if (/ECONNREFUSED/.test(message)) return { ok: false, statusCode: 'ConnectionRefused', message: short };
  if (/End point must exist|cannot find endpoint/i.test(message)) {
    return { ok: false, statusCode: 'EndpointNotOffered', message: short };
  }
  if (/Cannot find \w+ user token policy/i.test(message)) {
    return { ok: false, statusCode: 'TokenTypeNotOffered', message: short };
  }
  if (/ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ENOTFOUND|socket|disconnected|rejected by server/i.test(message)) {
    return { ok: false, statusCode: 'ConnectionFailed', message: short };
  }
  return { ok: false, statusCode: 'ClientError', message: short };
}
