// Modbus/TCP Security: mutual TLS against the simulator's own device CA, the client's role read from its
// certificate's Modbus role extension, and the same MBAP stack behind it with that role's access applied.
import tls from 'node:tls';
import type { MbapStack } from './mbap-stack.js';
import { roleOfCertificate } from './pki.js';
import type { AccessPath, PlcPreset } from './presets.js';

export type TlsPreset = NonNullable<PlcPreset['tls']>;

export function createModbusTlsServer(
  stack: MbapStack,
  credentials: { key: string; cert: string; ca: string },
  preset: TlsPreset,
): tls.Server {
  const server = tls.createServer({
    key: credentials.key,
    cert: credentials.cert,
    ca: [credentials.ca],
    requestCert: true,
    rejectUnauthorized: true, // no certificate, or one our CA did not issue: the handshake fails
    minVersion: preset.minVersion,
    ciphers: preset.ciphers,
    ecdhCurve: preset.groups,
  });
  // Admission (connection limit, reset) happens on the raw TCP connection, before the handshake costs anything.
  server.on('connection', (socket) => stack.admit(socket));
  server.on('tlsClientError', () => {}); // refused handshakes are expected traffic, not simulator errors
  server.on('secureConnection', (socket: tls.TLSSocket) => stack.serve(socket, accessOf(socket, preset)));
  return server;
}

function accessOf(socket: tls.TLSSocket, preset: TlsPreset): AccessPath {
  const role = roleOfCertificate(socket.getPeerCertificate(true).raw);
  const roles: Readonly<Record<string, AccessPath>> = preset.roles;
  return (role !== undefined && Object.hasOwn(roles, role) ? roles[role] : undefined) ?? preset.noRole;
}
