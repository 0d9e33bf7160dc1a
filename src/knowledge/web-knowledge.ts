// Web weakness knowledge (skeleton: its schema, data and lookups are filled in with the web checks).
import { z } from 'zod';

export const webDataSchema = z.strictObject({});
export type WebData = z.infer<typeof webDataSchema>;

export interface WebKnowledge {}

export function buildWebKnowledge(_data: WebData, _version: string, _problems: string[]): WebKnowledge {
  return {};
}
