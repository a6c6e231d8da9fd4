// The iptables-save files of ../shared/corpus, with the family each is meant for.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Family } from '../../src/ir/address.js';

export const CORPUS = join(import.meta.dirname, '../../../shared/corpus');

export interface CorpusFile {
  /** Path relative to the corpus root, as SOURCES.md and the validation list name it. */
  readonly path: string;
  readonly family: Family;
  /** Whether the validation list says a restore of that family accepted it (else the family is guessed). */
  readonly accepted: boolean;
}

/** Family from a file's name when nothing better is known. */
export function guessFamily(path: string): Family {
  return /ip6tables|(^|[/_.-])(rules|v)6\b|6\.rules$|\.v6$/.test(path) ? 'ipv6' : 'ipv4';
}

/** Files listed in validation/iptables_restore_test.tsv; empty when the corpus is absent. */
export function iptablesCorpusFiles(): CorpusFile[] {
  const list = join(CORPUS, 'validation/iptables_restore_test.tsv');
  if (!existsSync(list)) return [];
  const out: CorpusFile[] = [];
  for (const line of readFileSync(list, 'utf8').split('\n')) {
    if (line.startsWith('#') || !line.includes('\t')) continue;
    const [path, result] = line.split('\t') as [string, string];
    if (path === 'path') continue;
    const family: Family = result.startsWith('ip6tables')
      ? 'ipv6'
      : result.startsWith('iptables')
        ? 'ipv4'
        : guessFamily(path);
    out.push({ path, family, accepted: /^ip6?tables-restore-ok/.test(result) });
  }
  return out;
}
