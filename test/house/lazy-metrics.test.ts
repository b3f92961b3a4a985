// prom-client takes 150–250 ms to load on a busy machine: only --metrics may pay for it. A plain
// run of bin/sluice must not load it; a run with --metrics does. Needs a build (dist/).

import { expect, it } from 'vitest';
import { startupLoads } from './startup-probe.js';

it('start-up does not load prom-client; --metrics does, when it asks for it', () => {
  const plain = startupLoads(['where true', 'fixtures/events.ndjson']);
  expect(plain.packages.has('node:fs')).toBe(true); // the probe does see the loads
  expect(plain.esm).toBe(false); // so no package hides from it
  expect(plain.packages.has('prom-client')).toBe(false);
  const metrics = startupLoads(['--metrics', '127.0.0.1:0', 'where true', 'fixtures/events.ndjson']);
  expect(metrics.packages.has('prom-client')).toBe(true);
});
