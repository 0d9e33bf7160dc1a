// What a check can do with an open session: read, write, read BuildInfo, close.
// Every call is recorded in the transcript (node, status, value; never credentials).

import {
  AttributeIds,
  DataType,
  StatusCodes,
  Variant,
  VariableIds,
  type ClientSession,
  type DataValue,
} from 'node-opcua';
import type { Transcript } from '../../core/transcript.js';
import { bounded } from './bounded.js';
import { refusalFromError } from './refusal.js';

export interface ReadResult {
  statusCode: string;
  value: unknown;
  /** Name of the variant's DataType, e.g. 'Double'; 'Null' when nothing was returned. */
  dataType: string;
}

export interface OpcuaSessionHandle {
  read(nodeId: string): Promise<ReadResult>;
  /** The server's BuildInfo (ns=0;i=2260) as plain JSON-able fields; buildDate as ISO string or null. */
  readBuildInfo(): Promise<Record<string, unknown>>;
  /** Writes the value with the DataType the node currently holds (read first). */
  write(nodeId: string, value: unknown): Promise<{ statusCode: string }>;
  close(): Promise<void>;
}

export interface SessionHandleDeps {
  session: ClientSession;
  transcript: Transcript;
  stepTimeoutMs: number;
  signal?: AbortSignal;
  /** Closes the session's client (channel + socket); called by close(). */
  release: () => Promise<void>;
}

export function createSessionHandle(d: SessionHandleDeps): OpcuaSessionHandle {
  let closed: Promise<void> | null = null;

  /** One bounded service call; a timeout, abort or exception becomes a status name. */
  async function call<T>(work: () => Promise<T>): Promise<{ value?: T; statusCode?: string }> {
    const r = await bounded(work, d.stepTimeoutMs, d.signal);
    if (r.kind === 'done') return { value: r.value };
    if (r.kind === 'failed') return { statusCode: refusalFromError(r.error).statusCode ?? 'ClientError' };
    return { statusCode: r.kind === 'timeout' ? 'Timeout' : 'Aborted' };
  }

  async function readValue(nodeId: string): Promise<ReadResult> {
    const r = await call(() => d.session.read({ nodeId, attributeId: AttributeIds.Value }));
    if (!r.value) return { statusCode: r.statusCode ?? 'ClientError', value: undefined, dataType: 'Null' };
    return fromDataValue(r.value);
  }

  return {
    async read(nodeId) {
      const result = await readValue(nodeId);
      d.transcript.record('read', { nodeId, statusCode: result.statusCode, value: jsonable(result.value) });
      return result;
    },

    async readBuildInfo() {
      const nodeId = `ns=0;i=${VariableIds.Server_ServerStatus_BuildInfo}`;
      const result = await readValue(nodeId);
      const info = buildInfoFields(result.value);
      d.transcript.record('readBuildInfo', { statusCode: result.statusCode, ...info });
      return info;
    },

    async write(nodeId, value) {
      const current = await readValue(nodeId);
      const dataType = DataType[current.dataType as keyof typeof DataType];
      if (current.statusCode !== 'Good' || dataType === undefined || dataType === DataType.Null) {
        // Without the node's type we cannot build a correct Variant; report why instead of guessing.
        const statusCode = current.statusCode === 'Good' ? 'ClientUnknownDataType' : current.statusCode;
        d.transcript.record('write', { nodeId, value: jsonable(value), statusCode, note: 'type probe failed' });
        return { statusCode };
      }
      const r = await call(() =>
        d.session.write({
          nodeId,
          attributeId: AttributeIds.Value,
          value: { value: new Variant({ dataType, value }) },
        }),
      );
      const statusCode = r.value ? r.value.name : (r.statusCode ?? 'ClientError');
      d.transcript.record('write', { nodeId, value: jsonable(value), dataType: current.dataType, statusCode });
      return { statusCode };
    },

    close() {
      closed ??= (async () => {
        await bounded(() => d.session.close(), d.stepTimeoutMs);
        d.transcript.record('closeSession');
        await d.release();
      })();
      return closed;
    },
  };
}

function fromDataValue(dv: DataValue): ReadResult {
  const statusCode = dv.statusCode?.name ?? StatusCodes.Good.name;
  return { statusCode, value: dv.value?.value, dataType: DataType[dv.value?.dataType ?? DataType.Null] ?? 'Null' };
}

function buildInfoFields(value: unknown): Record<string, unknown> {
  const v = (value ?? {}) as Record<string, unknown>;
  const buildDate = v['buildDate'];
  return {
    productUri: v['productUri'] ?? null,
    manufacturerName: v['manufacturerName'] ?? null,
    productName: v['productName'] ?? null,
    softwareVersion: v['softwareVersion'] ?? null,
    buildNumber: v['buildNumber'] ?? null,
    // node-opcua decodes OPC UA's null DateTime (1601-01-01) to that date; report it as "not set".
    buildDate: buildDate instanceof Date && buildDate.getUTCFullYear() > 1601 ? buildDate.toISOString() : null,
  };
}

/** Keeps transcript details small and serialisable. */
function jsonable(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (typeof value === 'object') return String(value).slice(0, 200);
  return value;
}
