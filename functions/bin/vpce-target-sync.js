#!/usr/bin/env node
// Runs the TypeScript CLI directly (no build step): tsx registers the loader, then the entry point runs.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.exit(code));
