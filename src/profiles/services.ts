// How a declared service is named in reports and where it listens; one place for every protocol.
// Two kinds of target are derived rather than declared: every TLS endpoint (HTTPS, Modbus/TCP Security and
// services.tls) for the TLS audit, and every host the services name for the service-inventory sweep.
import type { Protocol } from '../core/outcomes.js';
import type { HttpsService, ModbusService, NetworkSettings, OpcuaService, Profile, SshService, TlsService } from './schema.js';

export const MODBUS_TCP_PORT = 502;
/** Modbus/TCP Security's registered port. */
export const MODBUS_TLS_PORT = 802;
export const HTTPS_PORT = 443;
export const OPCUA_PORT = 4840;

/** A TLS endpoint to audit, whichever service it belongs to. */
export interface TlsTarget {
  name: string;
  host: string;
  port: number;
  serverName?: string;
  caFile?: string;
  /** Presented when the endpoint demands one (Modbus/TCP Security). */
  clientCertificate?: { certificateFile: string; privateKeyFile: string };
  /** Which declared service it belongs to. */
  via: 'https' | 'modbus' | 'tls';
}

/** A port the profile says the device listens on, and what for. */
export interface DeclaredPort {
  port: number;
  service: string;
}

/** One host of the device, with every port the profile declares on it. */
export interface NetworkTarget {
  name: string;
  host: string;
  declared: DeclaredPort[];
  settings: NetworkSettings;
}

/** What a check of each protocol runs against. */
export interface ServiceTargets {
  opcua: OpcuaService;
  modbus: ModbusService;
  ssh: SshService;
  https: HttpsService;
  tls: TlsTarget;
  network: NetworkTarget;
}

export function modbusPort(s: ModbusService): number {
  return s.port ?? (s.tls ? MODBUS_TLS_PORT : MODBUS_TCP_PORT);
}

export function modbusAddress(s: ModbusService): string {
  if (s.serial) return `${s.serial.path} (${s.serial.baudRate} baud, ${s.serial.parity} parity, unit ${s.unitId})`;
  return `${s.tls ? 'modbus+tls' : 'modbus'}://${s.host}:${modbusPort(s)} (unit ${s.unitId})`;
}

export function opcuaHostPort(service: OpcuaService): { host: string; port: number } {
  const url = new URL(service.endpointUrl.replace(/^opc\.tcp:/, 'http:'));
  return { host: url.hostname, port: url.port ? Number(url.port) : OPCUA_PORT };
}

export function httpsHostPort(service: HttpsService): { host: string; port: number } {
  const url = new URL(service.url);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : HTTPS_PORT };
}

const isIp = (host: string) => /^[\d.]+$/.test(host) || host.includes(':');

/** Every target of a protocol, in profile order; derived targets for tls and network. */
export function serviceTargets<P extends Protocol>(profile: Profile, protocol: P): ServiceTargets[P][] {
  const targets: { [K in Protocol]: () => ServiceTargets[K][] } = {
    opcua: () => profile.services.opcua,
    modbus: () => profile.services.modbus,
    ssh: () => profile.services.ssh,
    https: () => profile.services.https,
    tls: () => tlsTargets(profile),
    network: () => networkTargets(profile),
  };
  return targets[protocol]() as ServiceTargets[P][];
}

function tlsTargets(profile: Profile): TlsTarget[] {
  const out: TlsTarget[] = [];
  for (const s of profile.services.https) {
    const { host, port } = httpsHostPort(s);
    out.push({ name: serviceLabel('https', s), host, port, ...(isIp(host) ? {} : { serverName: host }), ...(s.caFile ? { caFile: s.caFile } : {}), via: 'https' });
  }
  for (const s of profile.services.modbus) {
    if (!s.tls || !s.host) continue;
    out.push({
      name: serviceLabel('modbus', s),
      host: s.host,
      port: modbusPort(s),
      ...(s.tls.caFile ? { caFile: s.tls.caFile } : {}),
      clientCertificate: s.tls.clientCertificate,
      via: 'modbus',
    });
  }
  for (const s of profile.services.tls) {
    out.push({ ...s, name: serviceLabel('tls', s), ...(s.serverName || isIp(s.host) ? {} : { serverName: s.host }), via: 'tls' });
  }
  return out;
}

/** Every declared TCP port, by host. */
function declaredPorts(profile: Profile): Map<string, DeclaredPort[]> {
  const byHost = new Map<string, DeclaredPort[]>();
  const add = (host: string, port: number, service: string) => {
    const list = byHost.get(host) ?? [];
    if (!list.some((d) => d.port === port)) list.push({ port, service });
    byHost.set(host, list);
  };
  for (const s of profile.services.opcua) add(opcuaHostPort(s).host, opcuaHostPort(s).port, `opcua ${serviceLabel('opcua', s)}`);
  for (const s of profile.services.modbus) if (s.host) add(s.host, modbusPort(s), `modbus ${serviceLabel('modbus', s)}`);
  for (const s of profile.services.ssh) add(s.host, s.port, `ssh ${serviceLabel('ssh', s)}`);
  for (const s of profile.services.https) add(httpsHostPort(s).host, httpsHostPort(s).port, `https ${serviceLabel('https', s)}`);
  for (const s of profile.services.tls) add(s.host, s.port, `tls ${serviceLabel('tls', s)}`);
  return byHost;
}

function networkTargets(profile: Profile): NetworkTarget[] {
  const declared = declaredPorts(profile);
  const hosts = profile.network.hosts ?? [...declared.keys()];
  return hosts.map((host) => ({
    name: host,
    host,
    declared: [
      ...(declared.get(host) ?? []),
      ...profile.network.declaredOther.map((d) => ({ port: d.port, service: d.service })),
    ],
    settings: profile.network,
  }));
}

export function serviceLabel<P extends Protocol>(protocol: P, service: ServiceTargets[P] | TlsService): string {
  if ('name' in service && service.name) return service.name;
  switch (protocol) {
    case 'opcua':
      return (service as OpcuaService).endpointUrl;
    case 'modbus': {
      const m = service as ModbusService;
      return m.serial ? m.serial.path : `${m.host}:${modbusPort(m)}`;
    }
    case 'https':
      return (service as HttpsService).url;
    default: {
      const s = service as { host: string; port?: number };
      return s.port ? `${s.host}:${s.port}` : s.host;
    }
  }
}

/** Human-readable address of a target, for messages. */
export function serviceAddress<P extends Protocol>(protocol: P, service: ServiceTargets[P]): string {
  switch (protocol) {
    case 'modbus':
      return modbusAddress(service as ModbusService);
    case 'opcua':
      return (service as OpcuaService).endpointUrl;
    case 'https':
      return (service as HttpsService).url;
    case 'ssh': {
      const s = service as SshService;
      return `ssh://${s.host}:${s.port}`;
    }
    case 'tls': {
      const s = service as TlsTarget;
      return `tls://${s.host}:${s.port}`;
    }
    default:
      return (service as NetworkTarget).host;
  }
}
