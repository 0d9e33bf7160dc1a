// The bridge between checks and protocol clients: which client each protocol's checks receive, and how
// the runner makes one. The runner gets a ProtocolDrivers object handed in, so core never imports a client.
import type { Logger } from 'pino';
import type { Transcript } from '../core/transcript.js';
import type { Protocol } from '../core/outcomes.js';
import type { ServiceOf } from '../core/testcase.js';
import type { EssentialFunctionWatch } from '../core/monitoring.js';
import type { EssentialFunction, Profile } from '../profiles/schema.js';
import type { ModbusClientFixture } from './modbus/types.js';
import type { HttpsFixture } from './http/fixture.js';
import type { NetworkFixture } from './network/fixture.js';
import type { OpcuaClientFixture } from './opcua/index.js';
import type { SshFixture } from './ssh/fixture.js';
import type { TlsAuditFixture } from './tls/fixture.js';

export interface ProtocolFixtures {
  opcua: OpcuaClientFixture;
  modbus: ModbusClientFixture;
  ssh: SshFixture;
  https: HttpsFixture;
  tls: TlsAuditFixture;
  network: NetworkFixture;
}

export interface Fixture {
  close(): Promise<void>;
}

export interface ProtocolDrivers {
  createFixture<P extends Protocol>(
    protocol: P,
    service: ServiceOf<P>,
    transcript: Transcript,
    signal: AbortSignal,
  ): ProtocolFixtures[P];
  /** undefined when the service answers within timeoutMs, otherwise why it does not. */
  unreachable<P extends Protocol>(protocol: P, service: ServiceOf<P>, timeoutMs: number): Promise<string | undefined>;
  /** Sends the protocol libraries' own chatter to the run's log file instead of the console. */
  useLogger?(log: Logger): void;
  /** Starts watching an essential function over its own connection, independent of the check's client. */
  watchEssentialFunction(fn: EssentialFunction, profile: Profile, signal: AbortSignal): Promise<EssentialFunctionWatch>;
  /** Human-readable address of a service, for messages. */
  address<P extends Protocol>(protocol: P, service: ServiceOf<P>): string;
}
