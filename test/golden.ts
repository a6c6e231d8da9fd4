// Golden files: expected outputs kept in test/golden/. `UPDATE_GOLDEN=1 npm test` rewrites them
// from the current behaviour (review the diff before committing).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';

export const GOLDEN_DIR = join(import.meta.dirname, 'golden');

export function expectGolden(name: string, actual: string): void {
  const file = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    if (process.env.UPDATE_GOLDEN !== '1')
      throw new Error(`golden file ${name} was missing; written now, review it`);
    return;
  }
  expect(actual, `golden file test/golden/${name}`).toBe(readFileSync(file, 'utf8'));
}
