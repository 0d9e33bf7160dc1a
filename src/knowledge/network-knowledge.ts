// Network weakness knowledge (skeleton: its schema, data and lookups are filled in with the network checks).
import { z } from 'zod';

export const networkDataSchema = z.strictObject({});
export type NetworkData = z.infer<typeof networkDataSchema>;

export interface NetworkKnowledge {}

export function buildNetworkKnowledge(_data: NetworkData, _version: string, _problems: string[]): NetworkKnowledge {
  return {};
}
