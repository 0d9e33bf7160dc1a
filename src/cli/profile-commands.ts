// `otconform validate <file>` and `otconform schema`.
import { writeFileSync } from 'node:fs';
import { loadProfile } from '../profiles/load.js';
import { profileJsonSchema } from '../profiles/schema.js';

export function validateCommand(file: string): void {
  const { profile, secrets } = loadProfile(file);
  const services = Object.entries(profile.services)
    .filter(([, list]) => list.length > 0)
    .map(([kind, list]) => `${list.length} ${kind}`)
    .join(', ');
  process.stdout.write(
    `${file}: valid (${profile.device.vendor} ${profile.device.model}, ${profile.componentType}, ` +
      `target SL-C ${profile.targetSecurityLevel}; services: ${services}; ` +
      `${Object.keys(profile.credentials).length} credential(s), ${secrets.size > 0 ? 'secrets resolved' : 'no secrets'})\n`,
  );
}

export function schemaCommand(opts: { out?: string }): void {
  const text = `${JSON.stringify(profileJsonSchema(), null, 2)}\n`;
  if (opts.out) {
    writeFileSync(opts.out, text);
    process.stderr.write(`wrote ${opts.out}\n`);
  } else {
    process.stdout.write(text);
  }
}
