import { readFileSync } from 'node:fs';

/** Set by the release build (esbuild `define`); absent when running from the workspace's sources. */
declare const __VTS_VERSION__: string | undefined;

/** The package version: baked into a release build, read from functions/package.json in a checkout. */
export const VERSION: string =
  typeof __VTS_VERSION__ === 'string'
    ? __VTS_VERSION__
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
        .version;
