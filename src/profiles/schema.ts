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

const credential = z
  .object({
    username: nonEmpty,
    password: z.string().min(1, 'must not be empty').describe('Use ${env:NAME} to keep it out of the file'),
    role: z
      .enum(['read-only', 'operator', 'engineer', 'admin'])
      .describe('What the device should let this account do; checks pick accounts by role'),
    protocols: z.array(z.enum(['opcua'])).optional().describe('Where the account exists; all services when absent'),
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
    maxSessions: z
      .number()
      .int()
      .min(1)
      .max(500)
      .default(20)
      .describe('The most sessions the concurrent-session probe opens before concluding there is no limit'),
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
      })
      .strict()
      .describe('Where the device listens'),
    credentials: z.record(z.string().regex(/^[A-Za-z][\w-]*$/, 'names are letters, digits, - and _'), credential).default({}),
    safety: safety.default(() => safety.parse({})),
    timeouts: timeouts.default(() => timeouts.parse({})),
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
    const total = Object.values(p.services).reduce((n, list) => n + list.length, 0);
    if (total === 0) ctx.addIssue({ code: 'custom', path: ['services'], message: 'declares no service to test' });
  });

export type Profile = z.infer<typeof profileSchema>;
export type OpcuaService = z.infer<typeof opcuaService>;
export type Credential = z.infer<typeof credential>;
export type ServiceKind = keyof Profile['services'];

export function profileJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(profileSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://otconform.dev/schema/device-profile-v1.json',
    title: 'otconform device profile',
  };
}
