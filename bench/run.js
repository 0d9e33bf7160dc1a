// `npm run bench` entry: quiet node-opcua's load-time chatter, then run the TypeScript benchmark through tsx.
import { register } from 'tsx/esm/api';

process.env.NODEOPCUA_LOG_LEVEL ??= '3';
register();
await import('./suite.ts');
