// Node built-ins that only some runs use, loaded on first use: a static import loads them at every
// start, and node:crypto (with its hash, cipher and key modules) costs about 4 ms of CPU there.
// createRequire loads a built-in synchronously, so callers stay synchronous.

import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** node:crypto, loaded when first asked for. */
export function nodeCrypto(): typeof import('node:crypto') {
  return load('node:crypto') as typeof import('node:crypto');
}
