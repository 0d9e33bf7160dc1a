// Ssh weakness knowledge (skeleton: its schema, data and lookups are filled in with the ssh checks).
import { z } from 'zod';

export const sshDataSchema = z.strictObject({});
export type SshData = z.infer<typeof sshDataSchema>;

export interface SshKnowledge {}

export function buildSshKnowledge(_data: SshData, _version: string, _problems: string[]): SshKnowledge {
  return {};
}
