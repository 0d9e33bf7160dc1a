#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npm ci` alone leaves the CLI runnable (no build step).
import { register } from 'tsx/esm/api';

// node-opcua prints warnings to the console while it loads (before any logger can be attached); a run
// routes them into its log file instead (src/protocols/opcua-library-logs.ts).
process.env.NODEOPCUA_LOG_LEVEL ??= '3';
register();
await import('../src/cli/main.ts');
