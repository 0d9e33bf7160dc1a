// Two real node:tls servers for the TLS audit's tests and benchmark: a weak one (a typical legacy device:
// TLS 1.0-1.2, every suite OpenSSL still has, RSA-1024/SHA-1 self-signed) and a hardened one (TLS 1.2-1.3,
// ECDHE AEAD only, RSA-2048/SHA-256 issued by a CA of its own). Both listen on 127.0.0.1 only.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import forge from 'node-forge';
import { listenOnLoopback } from './loopback-server.js';

export type ReferencePreset = 'weak' | 'hardened';

export interface ReferenceTlsServer {
  preset: ReferencePreset;
  port: number;
  /** The CA that issued the server certificate (weak: the self-signed certificate itself). */
  caFile: string;
  /** Handshakes the server saw begin (TCP connections), for counting the scanner's connections. */
  connections(): number;
  stop(): Promise<void>;
}

interface KeyPair {
  privateKeyPem: string;
  publicKey: forge.pki.PublicKey;
  privateKey: forge.pki.PrivateKey;
}

function rsaKey(bits: number): KeyPair {
  // node:crypto generates in native code; forge only builds and signs the certificates.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const privateKeyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  return { privateKeyPem, privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

function certificate(o: {
  commonName: string;
  key: KeyPair;
  issuer?: { cert: forge.pki.Certificate; key: KeyPair };
  hash: 'sha1' | 'sha256';
  ca?: boolean;
  altNames?: { type: number; value?: string; ip?: string }[];
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = o.key.publicKey;
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(8))}`;
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const subject = [{ name: 'commonName', value: o.commonName }, { name: 'organizationName', value: 'otconform test' }];
  cert.setSubject(subject);
  cert.setIssuer(o.issuer ? o.issuer.cert.subject.attributes : subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: o.ca ?? false, critical: o.ca ?? false },
    o.ca
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    ...(o.ca ? [] : [{ name: 'extKeyUsage', serverAuth: true }]),
    ...(o.altNames ? [{ name: 'subjectAltName', altNames: o.altNames }] : []),
  ]);
  const md = o.hash === 'sha1' ? forge.md.sha1.create() : forge.md.sha256.create();
  cert.sign((o.issuer?.key ?? o.key).privateKey as forge.pki.rsa.PrivateKey, md);
  return cert;
}

function serverOptions(preset: ReferencePreset, dir: string): { options: tls.TlsOptions; caFile: string } {
  const caFile = join(dir, 'ca.cert.pem');
  if (preset === 'weak') {
    const key = rsaKey(1024);
    // No SAN for 127.0.0.1: a client that checks the name it dialled must refuse it.
    const cert = certificate({ commonName: 'weak-device', key, hash: 'sha1', altNames: [{ type: 2, value: 'weak-device.invalid' }] });
    const pem = forge.pki.certificateToPem(cert);
    writeFileSync(caFile, pem);
    return {
      caFile,
      options: {
        key: key.privateKeyPem,
        cert: pem,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.2',
        ciphers: 'ALL:@SECLEVEL=0',
        // DHE suites need parameters; 'auto' sizes them to the 1024-bit key, as old firmware does.
        dhparam: 'auto',
        ecdhCurve: 'P-256:P-384:P-521:secp224r1:secp192r1',
      },
    };
  }
  const caKey = rsaKey(2048);
  const caCert = certificate({ commonName: 'otconform test CA', key: caKey, hash: 'sha256', ca: true });
  const key = rsaKey(2048);
  const cert = certificate({
    commonName: 'hardened-device',
    key,
    issuer: { cert: caCert, key: caKey },
    hash: 'sha256',
    altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }],
  });
  writeFileSync(caFile, forge.pki.certificateToPem(caCert));
  return {
    caFile,
    options: {
      key: key.privateKeyPem,
      cert: forge.pki.certificateToPem(cert),
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305',
      ecdhCurve: 'X25519:P-256:P-384',
    },
  };
}

export async function startReferenceTlsServer(preset: ReferencePreset): Promise<ReferenceTlsServer> {
  const dir = mkdtempSync(join(tmpdir(), `otconform-tls-${preset}-`));
  const { options, caFile } = serverOptions(preset, dir);
  const server = tls.createServer(options, (socket) => {
    socket.on('error', () => {});
    socket.end('hello\n');
  });
  server.on('tlsClientError', () => {}); // refused probes are the expected traffic
  const listening = await listenOnLoopback(server);
  return {
    preset,
    port: listening.port,
    caFile,
    connections: listening.connections,
    stop: async () => {
      await listening.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A legacy device's TLS stack that only speaks SSL 2.0 and SSL 3.0 (no Node.js build can serve either): it
 * answers an SSL 2.0 CLIENT-HELLO with a SERVER-HELLO, and an SSL 3.0 hello that offers 3DES or RC4 with
 * ServerHello, Certificate (the weak RSA-1024/SHA-1 certificate) and ServerHelloDone; anything else gets an
 * alert. It stops after its first flight, which is all a scanner reads.
 */
export async function startLegacySslServer(): Promise<{ port: number; suites: number[]; connections(): number; stop(): Promise<void> }> {
  const suites = [0x000a, 0x0005]; // TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS_RSA_WITH_RC4_128_SHA
  const key = rsaKey(1024);
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(certificate({ commonName: 'legacy-device', key, hash: 'sha1' }))).getBytes(), 'binary');
  const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
  const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
  const handshake = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type]), u24(body.length), body]);
  const record = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type]), u16(0x0300), u16(body.length), body]);
  const alert = (description: number) => record(21, Buffer.from([2, description]));

  const answer = (hello: Buffer): Buffer | undefined => {
    if ((hello[0]! & 0x80) !== 0) {
      if (hello.length < 2 + (((hello[0]! & 0x7f) << 8) | hello[1]!)) return undefined;
      // SSL 2.0 SERVER-HELLO: type 4, no session hit, X.509 cert, version 2, the cert, one cipher kind, connection id.
      const specs = Buffer.from([0x07, 0x00, 0xc0]);
      const connectionId = Buffer.alloc(16, 7);
      const body = Buffer.concat([Buffer.from([4, 0, 1]), u16(0x0002), u16(der.length), u16(specs.length), u16(connectionId.length), der, specs, connectionId]);
      return Buffer.concat([u16(0x8000 | body.length), body]);
    }
    if (hello.length < 5 || hello.length < 5 + hello.readUInt16BE(3)) return undefined;
    if (hello[0] !== 22 || hello[5] !== 1 || hello.readUInt16BE(9) !== 0x0300) return alert(70); // protocol_version
    const sessionIdLength = hello[43]!;
    const at = 44 + sessionIdLength;
    const offered: number[] = [];
    for (let i = 0; i < hello.readUInt16BE(at); i += 2) offered.push(hello.readUInt16BE(at + 2 + i));
    const suite = offered.find((c) => suites.includes(c));
    if (suite === undefined) return alert(40); // handshake_failure
    const serverHello = Buffer.concat([u16(0x0300), Buffer.alloc(32, 1), Buffer.from([0]), u16(suite), Buffer.from([0])]);
    const certificateList = Buffer.concat([u24(der.length), der]);
    return record(22, Buffer.concat([handshake(2, serverHello), handshake(11, Buffer.concat([u24(certificateList.length), certificateList])), handshake(14, Buffer.alloc(0))]));
  };

  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    let buffer = Buffer.alloc(0);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const reply = answer(buffer);
      if (reply) socket.end(reply);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    suites,
    connections: () => connections,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
