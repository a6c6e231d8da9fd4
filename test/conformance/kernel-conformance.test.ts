// The reference engine against the Linux kernel: every scenario in test/fixtures/scenarios is
// run through the real kernel in network namespaces (test/kernel/netns) and through the engine,
// and their per-rule counters and emitted packets must agree byte for byte.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { netnsUnavailableReason } from '../kernel/netns/namespaces.js';
import { runScenario } from '../kernel/netns/run-scenario.js';
import { differences } from './compare-with-kernel.js';
import { runEngineOnScenario } from './engine-run.js';

const SCENARIOS = join(import.meta.dirname, '../fixtures/scenarios');
const dirs = existsSync(SCENARIOS)
  ? readdirSync(SCENARIOS)
      .filter((d) => existsSync(join(SCENARIOS, d, 'rules.v4')))
      .sort()
  : [];
const unavailable = netnsUnavailableReason();
if (unavailable) console.warn(`kernel conformance: skipped (${unavailable})`);

describe.skipIf(unavailable !== '')('reference engine vs the kernel', () => {
  for (const d of dirs) {
    it(d, async () => {
      const dir = join(SCENARIOS, d);
      const kernel = await runScenario(dir);
      const run = runEngineOnScenario(dir);
      expect(differences(kernel, run), `${d}: differences from the kernel`).toEqual([]);
    });
  }
});
