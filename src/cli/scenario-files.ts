// Loading the files a scenario is made of (ruleset, host file), for the commands that run one.

import { readFileSync } from 'node:fs';
import { loadRuleset } from '../frontend/load-ruleset.js';
import { type Host, parseHostFile } from '../host/index.js';
import type { Family } from '../ir/address.js';
import type { Ruleset } from '../ir/ruleset.js';

export function readText(path: string): string {
  return readFileSync(path === '-' ? 0 : path, 'utf8');
}

export function loadRulesFile(path: string, family?: Family): Ruleset {
  return loadRuleset(readText(path), { file: path, ...(family ? { family } : {}) }).ruleset;
}

export function loadHostFile(path: string): Host {
  return parseHostFile(readText(path), { file: path });
}
