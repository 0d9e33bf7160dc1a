// The device profile: what the device is, where its services listen, which accounts the harness may use,
// and what the owner allows the harness to do to it. One zod schema is both the validator and the
// source of the JSON Schema that editors use (`otconform schema`).
import { z } from 'zod';
import { COMPONENT_TYPES } from '../core/outcomes.js';

export const PROFILE_SCHEMA_VERSION = 1;

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const nodeId = nonEmpty.describe('An OPC UA NodeId, e.g. "ns=1;s=Plant.Tank1.Setpoint"');

const opcuaService = z
  .object({
    name: nonEmpty.optional().describe('A label for reports; defaults to the endpoint URL'),
    endpointUrl: z
      .string()
      .regex(/^opc\.tcp:\/\/[^/\s:]+(:\d{1,5})?(\/\S*)?$/, 'must look like opc.tcp://host:port[/path]')
      .describe('The discovery endpoint URL'),
    readNodes: z
      .array(nodeId)
      .default([])
      .describe('Variables the harness may read to prove a session works (e.g. a heartbeat)'),
    safeWriteNodes: z
      .array(nodeId)
      .default([])
      .describe(
        'Variables the harness may write its own just-read value back to, for authorization checks. Used only by state-change checks.',
      ),
    clientCertificate: z
      .object({ certificateFile: nonEmpty, privateKeyFile: nonEmpty })
      .strict()
      .optional()
      .describe('The application instance certificate the device trusts for otconform; generated on first use when absent'),
  })
  .strict();

const port = z.number().int().min(1).max(65535);
const filePair = z
  .object({ certificateFile: nonEmpty, privateKeyFile: nonEmpty })
  .strict()
  .describe('PEM files; a leading ~/ means the home directory');

const registerTable = z.enum(['holding', 'input', 'coil', 'discrete']);
const registerRange = z
  .object({
    table: registerTable.default('holding'),
    address: z.number().int().min(0).max(65535).describe('0-based protocol address'),
    count: z.number().int().min(1).max(125).default(1),
  })
  .strict();

const modbusService = z
  .object({
    name: nonEmpty.optional().describe('A label for reports; defaults to host:port or the serial path'),
    host: nonEmpty.optional().describe('Modbus TCP (or Modbus/TCP Security) host'),
    port: port.optional().describe('TCP port; 502 for plain Modbus TCP, 802 with tls'),
    serial: z
      .object({
        path: nonEmpty.describe('e.g. /dev/ttyUSB0'),
        baudRate: z.number().int().min(300).max(921_600).default(19_200),
        parity: z.enum(['none', 'even', 'odd']).default('even'),
        dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
        stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
      })
      .strict()
      .optional()
      .describe('Modbus RTU over a serial line (RS-485/RS-232) instead of TCP'),
    unitId: z.number().int().min(0).max(255).default(1),
    tls: z
      .object({
        clientCertificate: filePair.describe('The certificate (with its Modbus role extension) the device trusts'),
        caFile: nonEmpty.optional().describe("The device's CA; when absent the server certificate is recorded but not verified"),
      })
      .strict()
      .optional()
      .describe('Modbus/TCP Security (TLS with mutual authentication)'),
    readRegisters: z
      .array(registerRange)
      .default([{ table: 'holding', address: 0, count: 1 }])
      .describe('What the read checks read: addresses that exist on the device'),
    safeWrites: z
      .array(z.object({ table: z.enum(['holding', 'coil']).default('holding'), address: z.number().int().min(0).max(65535) }).strict())
      .default([])
      .describe('Addresses the unauthenticated-write probe may write (the value it just read, then restored). Used only by state-change checks.'),
    functionCodes: z
      .array(z.number().int().min(1).max(127))
      .optional()
      .describe('The function codes the process needs; any other code the device answers counts against least functionality'),
    timeoutMs: z.number().int().min(50).max(60_000).default(1000).describe('How long to wait for one reply'),
  })
  .strict()
  .superRefine((s, ctx) => {
    const tcp = s.host !== undefined;
    if (tcp === (s.serial !== undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give either host (Modbus TCP) or serial (Modbus RTU), not both or neither' });
    }
    if (s.tls && !tcp) ctx.addIssue({ code: 'custom', path: ['tls'], message: 'tls needs host (Modbus/TCP Security runs over TCP)' });
  });

const hostName = nonEmpty.describe('A host name or IP address');

const sshService = z
  .object({
    name: nonEmpty.optional().describe('A label for reports; defaults to host:port'),
    host: hostName,
    port: port.default(22),
    timeoutMs: z.number().int().min(100).max(60_000).default(5000).describe('How long to wait for one answer'),
  })
  .strict();

const httpsService = z
  .object({
    name: nonEmpty.optional().describe('A label for reports; defaults to the URL'),
    url: z
      .string()
      .regex(/^https:\/\/[^/\s]+\/?$/, 'must look like https://host[:port] (no path)')
      .describe('Where the web UI listens'),
    caFile: nonEmpty.optional().describe("The device's CA; when absent the certificate is recorded and judged as untrusted"),
    login: z
      .object({
        form: z
          .object({
            path: nonEmpty.default('/login').describe('Where the login form is shown and posted'),
            usernameField: nonEmpty.default('username'),
            passwordField: nonEmpty.default('password'),
          })
          .strict()
          .optional()
          .describe('A login form posted as application/x-www-form-urlencoded; success is judged by protectedPath'),
        basic: z
          .object({ path: nonEmpty.describe('A resource protected by HTTP Basic authentication') })
          .strict()
          .optional(),
      })
      .strict()
      .default({ form: { path: '/login', usernameField: 'username', passwordField: 'password' } })
      .describe('How users log in'),
    protectedPath: nonEmpty.default('/').describe('A page that needs a session: 2xx with a session, anything else without'),
    logoutPath: nonEmpty.optional().describe('POSTed to end a session'),
    errorPaths: z
      .array(nonEmpty)
      .default([])
      .describe('Extra requests that should produce error pages, e.g. "/api/item?id=%%%"; a missing page is always tried'),
    timeoutMs: z.number().int().min(100).max(60_000).default(5000),
  })
  .strict();

const tlsService = z
  .object({
    name: nonEmpty.optional(),
    host: hostName,
    port,
    serverName: nonEmpty.optional().describe('SNI to send; defaults to host when it is a name'),
    caFile: nonEmpty.optional().describe('The CA that should have issued the certificate'),
  })
  .strict()
  .describe('Any other TLS endpoint to audit (HTTPS and Modbus/TCP Security services are audited anyway)');

const portSpec = z.union([port, z.string().regex(/^\d{1,5}-\d{1,5}$/, 'a port or a range "from-to"')]);
const network = z
  .object({
    hosts: z.array(hostName).optional().describe('Hosts to sweep; default: every host the services name'),
    ports: z
      .array(portSpec)
      .optional()
      .describe("Ports to sweep; default: the knowledge base's well-known industrial and management ports, plus every declared port"),
    extraPorts: z.array(portSpec).default([]).describe('Added to the default set'),
    declaredOther: z
      .array(z.object({ port, service: nonEmpty, reason: nonEmpty.optional() }).strict())
      .default([])
      .describe('Open ports that belong to the device but are not tested services (e.g. a vendor tool port)'),
    connectionsPerSecond: z.number().positive().max(2000).default(100).describe('Rate limit of the sweep'),
    connectTimeoutMs: z.number().int().min(50).max(10_000).default(800),
    maxPorts: z.number().int().min(1).max(65_535).default(2048).describe('The sweep refuses to grow past this many ports'),
  })
  .strict();

const policy = z
  .object({
    idleTimeoutMaxMs: z
      .number()
      .int()
      .min(100)
      .max(86_400_000)
      .default(900_000)
      .describe('An idle session must be ended by the device within this time (the idle-timeout probes wait this long)'),
    lockoutDurationMaxMs: z
      .number()
      .int()
      .min(100)
      .max(3_600_000)
      .default(300_000)
      .describe('How long the lockout probes wait for a locked account to unlock before reporting "longer than this"'),
  })
  .strict();

/** What the device must keep doing while it is loaded: the essential function the monitor watches. */
const essentialFunction = z
  .object({
    name: nonEmpty.describe('e.g. "control-loop heartbeat"'),
    modbus: z
      .object({
        service: z.number().int().min(0).default(0).describe('Index into services.modbus'),
        table: registerTable.default('holding'),
        address: z.number().int().min(0).max(65535),
      })
      .strict()
      .optional(),
    opcua: z
      .object({ service: z.number().int().min(0).default(0).describe('Index into services.opcua'), nodeId })
      .strict()
      .optional(),
    mustChangeWithinMs: z
      .number()
      .int()
      .min(10)
      .max(600_000)
      .optional()
      .describe('A heartbeat: the value must change at least this often'),
    range: z
      .object({ min: z.number(), max: z.number() })
      .strict()
      .optional()
      .describe('A process value: it must stay within [min, max]'),
    pollMs: z.number().int().min(10).max(10_000).default(50).describe('How often the monitor reads it'),
  })
  .strict()
  .superRefine((f, ctx) => {
    if ((f.modbus === undefined) === (f.opcua === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of modbus or opcua' });
    }
    if (f.mustChangeWithinMs === undefined && f.range === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give mustChangeWithinMs, range, or both' });
    }
  });

const dos = z
  .object({
    stepDurationMs: z.number().int().min(200).max(120_000).default(3000).describe('How long each load step lasts'),
    requestRates: z
      .array(z.number().positive().max(100_000))
      .default([100, 400, 1600])
      .describe('Request flood steps, requests per second'),
    connectionRates: z.array(z.number().positive().max(10_000)).default([20, 80]).describe('Connection flood steps, new connections per second'),
    sessionRates: z.array(z.number().positive().max(1000)).default([5, 20]).describe('OPC UA session flood steps, sessions per second'),
    slowDripConnections: z.number().int().min(1).max(1000).default(8).describe('Connections that each send a frame one byte at a time'),
    maxGapMs: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Longest tolerated gap between heartbeat changes under load; default: twice mustChangeWithinMs'),
    maxRecoveryMs: z.number().int().min(1).default(5000).describe('How soon after the load stops the device must be healthy again'),
    maxMonitorLatencyMs: z
      .number()
      .int()
      .min(1)
      .default(1000)
      .describe("Longest tolerated reply time of the monitor's reads under load"),
  })
  .strict();

const waiver = z
  .object({
    check: nonEmpty.optional().describe('A check id'),
    requirement: nonEmpty.optional().describe('A requirement id, e.g. "CR 1.1"'),
    target: nonEmpty.optional().describe('Only this service (by name); all services when absent'),
    countermeasure: nonEmpty.describe('The compensating countermeasure, e.g. "conduit firewall admits only the SCADA server"'),
    justification: nonEmpty.describe('Why the countermeasure is enough'),
    reference: nonEmpty.describe('Where it is documented, e.g. a risk assessment id; an auditor must be able to look it up'),
    expires: z.iso.date().describe('YYYY-MM-DD; an expired waiver is not applied and is flagged'),
  })
  .strict()
  .refine((w) => (w.check === undefined) !== (w.requirement === undefined), { message: 'give exactly one of check or requirement' });

const credential = z
  .object({
    username: nonEmpty,
    password: z.string().min(1, 'must not be empty').describe('Use ${env:NAME} to keep it out of the file'),
    role: z
      .enum(['read-only', 'operator', 'engineer', 'admin'])
      .describe('What the device should let this account do; checks pick accounts by role'),
    protocols: z.array(z.enum(['opcua', 'modbus', 'ssh', 'https'])).optional().describe('Where the account exists; all services when absent'),
  })
  .strict();

const safety = z
  .object({
    allowLoginAttempts: z
      .boolean()
      .default(false)
      .describe('auth-attempt checks (default credentials, lockout probing) run only when true'),
    allowDisruptive: z
      .boolean()
      .default(false)
      .describe('state-change and disruptive checks also need --allow-disruptive on the command line'),
    lockoutAccount: nonEmpty
      .optional()
      .describe('The credential (by name) the lockout probe may lock; the probe does not run without one'),
    maxLoginAttempts: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe('The most failed logins the lockout probe sends before concluding there is no lockout'),
    loginAttemptsPerSecond: z.number().positive().max(100).default(5).describe('Rate limit for login attempts'),
    alternateSourceAddress: nonEmpty
      .optional()
      .describe('A second local address of this machine; the lockout probes use it to tell a lockout keyed by source from one keyed by user'),
    maxSessions: z
      .number()
      .int()
      .min(1)
      .max(500)
      .default(20)
      .describe('The most sessions the concurrent-session probe opens before concluding there is no limit'),
    dos: dos.default(() => dos.parse({})).describe('Load steps and pass thresholds for the disruptive DoS checks'),
  })
  .strict();

/**
 * What the supplier claims the device does: each claim is compared with what the checks measure, and the report
 * lists every contradiction (src/core/claims.ts). Claims never change a verdict; they are evidence for the auditor.
 */
const claimedLevel = (fr: string) => z.number().int().min(1).max(4).optional().describe(`The SL-C (1-4) claimed for ${fr}`);

const claims = z
  .object({
    lockout: z
      .object({
        threshold: z.number().int().min(1).max(1000).optional().describe('Consecutive failed logins that lock an account'),
        durationMs: z
          .union([z.number().int().min(1).max(86_400_000), z.literal('until-admin')])
          .optional()
          .describe('How long a lock lasts, in ms, or "until-admin" when only an administrator unlocks it'),
      })
      .strict()
      .optional()
      .describe('The lockout after failed logins (CR 1.11)'),
    sessionIdleTimeoutMs: z
      .number()
      .int()
      .min(1)
      .max(86_400_000)
      .optional()
      .describe('An idle session is ended after at most this long (CR 2.5)'),
    maxSessions: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe('The most concurrent sessions one account may hold (CR 2.7)'),
    opcuaSecurityPolicies: z
      .array(nonEmpty)
      .min(1)
      .optional()
      .describe('The only OPC UA security policies the server offers, by name or URI, e.g. ["Basic256Sha256", "Aes256_Sha256_RsaPss"]'),
    tlsVersions: z
      .array(z.enum(['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']))
      .min(1)
      .optional()
      .describe('The only TLS versions any TLS endpoint accepts, e.g. ["TLSv1.2", "TLSv1.3"]'),
    securityLevels: z
      .object({
        FR1: claimedLevel('FR1 identification and authentication control'),
        FR2: claimedLevel('FR2 use control'),
        FR3: claimedLevel('FR3 system integrity'),
        FR4: claimedLevel('FR4 data confidentiality'),
        FR5: claimedLevel('FR5 restricted data flow'),
        FR6: claimedLevel('FR6 timely response to events'),
        FR7: claimedLevel('FR7 resource availability'),
      })
      .strict()
      .optional()
      .describe('The SL-C claimed per foundational requirement; compared with the achieved SL-C vector'),
  })
  .strict();

const timeouts = z
  .object({
    connectMs: z.number().int().min(100).max(120_000).default(5000),
    checkMs: z.number().int().min(1000).max(3_600_000).default(60_000),
  })
  .strict();

export const profileSchema = z
  .object({
    schemaVersion: z.literal(PROFILE_SCHEMA_VERSION),
    device: z
      .object({
        vendor: nonEmpty,
        model: nonEmpty,
        firmware: nonEmpty.optional(),
        serialNumber: nonEmpty.optional(),
        name: nonEmpty.optional(),
      })
      .strict()
      .describe('The identity the supplier declares; the report sets it beside what the device reports'),
    componentType: z.enum(COMPONENT_TYPES).describe('EDR embedded device, HDR host device, NDR network device, SAR software application'),
    targetSecurityLevel: z.number().int().min(1).max(4).describe('The SL-C the device is tested against (1-4)'),
    services: z
      .object({
        opcua: z.array(opcuaService).default([]),
        modbus: z.array(modbusService).default([]),
        ssh: z.array(sshService).default([]),
        https: z.array(httpsService).default([]),
        tls: z.array(tlsService).default([]),
      })
      .strict()
      .describe('Where the device listens'),
    credentials: z.record(z.string().regex(/^[A-Za-z][\w-]*$/, 'names are letters, digits, - and _'), credential).default({}),
    essentialFunctions: z
      .array(essentialFunction)
      .default([])
      .describe('What the device must keep doing under load; disruptive checks watch the first one'),
    waivers: z
      .array(waiver)
      .default([])
      .describe('Compensating countermeasures: a failed or inconclusive result they cover is reported as waived'),
    network: network.default(() => network.parse({})).describe('The service-inventory sweep of the device\'s hosts'),
    policy: policy.default(() => policy.parse({})).describe('What the owner requires of sessions and lockout'),
    safety: safety.default(() => safety.parse({})),
    timeouts: timeouts.default(() => timeouts.parse({})),
    claims: claims
      .optional()
      .describe('What the supplier claims the device does; the report compares each claim with the measurements'),
  })
  .strict()
  .superRefine((p, ctx) => {
    const lockout = p.safety.lockoutAccount;
    if (lockout !== undefined && !(lockout in p.credentials)) {
      ctx.addIssue({
        code: 'custom',
        path: ['safety', 'lockoutAccount'],
        message: `names credential "${lockout}", which is not under credentials`,
      });
    }
    p.essentialFunctions.forEach((f, i) => {
      const [kind, ref] = f.modbus ? (['modbus', f.modbus] as const) : (['opcua', f.opcua] as const);
      if (ref && ref.service >= p.services[kind].length) {
        ctx.addIssue({
          code: 'custom',
          path: ['essentialFunctions', i, kind, 'service'],
          message: `refers to services.${kind}[${ref.service}], which does not exist`,
        });
      }
    });
    const total = Object.values(p.services).reduce((n, list) => n + list.length, 0);
    if (total === 0) ctx.addIssue({ code: 'custom', path: ['services'], message: 'declares no service to test' });
  });

export type Profile = z.infer<typeof profileSchema>;
export type OpcuaService = z.infer<typeof opcuaService>;
export type ModbusService = z.infer<typeof modbusService>;
export type EssentialFunction = z.infer<typeof essentialFunction>;
export type DosSettings = z.infer<typeof dos>;
export type Waiver = z.infer<typeof waiver>;
export type Credential = z.infer<typeof credential>;
export type SshService = z.infer<typeof sshService>;
export type HttpsService = z.infer<typeof httpsService>;
export type TlsService = z.infer<typeof tlsService>;
export type NetworkSettings = z.infer<typeof network>;
export type ServiceKind = keyof Profile['services'];
export type Claims = z.infer<typeof claims>;

export function profileJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(profileSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://otconform.dev/schema/device-profile-v1.json',
    title: 'otconform device profile',
  };
}
