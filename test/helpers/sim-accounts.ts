// The simulated device's account passwords, read from its presets: one source for every test profile.
import { MGMT_PRESETS, type MgmtPresetName } from '../../simulators/mgmt/index.js';

export function simPassword(preset: MgmtPresetName, username: string): string {
  const password = MGMT_PRESETS[preset].accounts.find((a) => a.username === username)?.password;
  if (password === undefined) throw new Error(`the ${preset} simulator has no password account ${username}`);
  return password;
}

/** The operator and lockprobe passwords of a preset, as the test profiles use them. */
export const simPasswords = (preset: MgmtPresetName) => ({ operator: simPassword(preset, 'operator'), lockprobe: simPassword(preset, 'lockprobe') });
