// Scenarios where the reference engine is known to disagree with the kernel, each with the
// reason and what the kernel does (test/conformance/known-divergences.json). The conformance
// suite runs them like every other scenario but expects a difference; one that starts agreeing
// fails until its entry is removed, so the list can only shrink.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const KNOWN_DIVERGENCES_FILE = join(import.meta.dirname, 'known-divergences.json');

/** scenario name → why the engine differs and what the kernel does. */
export function readKnownDivergences(path = KNOWN_DIVERGENCES_FILE): ReadonlyMap<string, string> {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`${path}: expected an object of "scenario": "reason"`);
  const out = new Map<string, string>();
  for (const [name, reason] of Object.entries(parsed)) {
    if (typeof reason !== 'string' || reason.trim() === '')
      throw new Error(`${path}: "${name}" needs a non-empty reason (why, and what the kernel does)`);
    out.set(name, reason);
  }
  return out;
}
