// The reference engine against the Linux kernel: every scenario in test/fixtures/scenarios is
// run through the real kernel in network namespaces (test/kernel/netns) and through the engine,
// and their per-rule counters and emitted packets must agree byte for byte.
//
// Scenarios listed in known-divergences.json are expected to differ (the engine lacks the
// feature, or the fix belongs elsewhere): their test passes while they differ — the engine
// throwing counts as differing — and fails the moment they agree, so the entry gets removed.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { netnsUnavailableReason } from '../kernel/netns/namespaces.js';
import { runScenario } from '../kernel/netns/run-scenario.js';
import { differences } from './compare-with-kernel.js';
import { runEngineOnScenario } from './engine-run.js';
import { KNOWN_DIVERGENCES_FILE, readKnownDivergences } from './known-divergences.js';

const SCENARIOS = join(import.meta.dirname, '../fixtures/scenarios');
const dirs = existsSync(SCENARIOS)
  ? readdirSync(SCENARIOS)
      .filter((d) => existsSync(join(SCENARIOS, d, 'rules.v4')))
      .sort()
  : [];
const known = readKnownDivergences();
const unavailable = netnsUnavailableReason();
if (unavailable) console.warn(`kernel conformance: skipped (${unavailable})`);

it('known-divergences.json names only existing scenarios', () => {
  expect(
    [...known.keys()].filter((name) => !dirs.includes(name)),
    KNOWN_DIVERGENCES_FILE,
  ).toEqual([]);
});

describe.skipIf(unavailable !== '')('reference engine vs the kernel', () => {
  for (const d of dirs) {
    const reason = known.get(d);
    it(reason === undefined ? d : `${d} (known divergence)`, async () => {
      const dir = join(SCENARIOS, d);
      const kernel = await runScenario(dir);
      if (reason === undefined) {
        const run = runEngineOnScenario(dir);
        expect(differences(kernel, run), `${d}: differences from the kernel`).toEqual([]);
        return;
      }
      let diffs: string[];
      try {
        diffs = differences(kernel, runEngineOnScenario(dir));
      } catch (e) {
        diffs = [`engine error: ${e instanceof Error ? e.message : String(e)}`];
      }
      expect(
        diffs.length,
        `${d} now agrees with the kernel: remove it from ${KNOWN_DIVERGENCES_FILE} (it was listed because: ${reason})`,
      ).toBeGreaterThan(0);
    });
  }
});
