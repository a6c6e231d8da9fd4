// The kernel as the oracle for the iptables front end: load a ruleset with the real
// iptables-restore into a fresh network namespace (unshare -n, so nothing leaks into the host)
// and read back what the real iptables-save prints.
//
// The legacy (x_tables) backend is the oracle: it prints back exactly the match and target
// structures the kernel holds. Debian's default nf_tables backend merges repeated matches when
// it translates back (`-m tcp ! --dport 80 -m tcp --dport 5` prints as `! --dport 5`), so its
// output does not always mean what the rule means. Legacy's table order follows the order the
// kernel registered the tables in, so the oracle sorts table blocks into nfwasm's fixed order.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Family } from '../../src/ir/address.js';
import { TABLE_ORDER } from '../../src/ir/tables.js';

export type OracleResult =
  | { readonly ok: true; readonly output: string; readonly countersRestored: boolean }
  | { readonly ok: false; readonly error: string; readonly line: number | undefined };

const CACHE_DIR = join(import.meta.dirname, '../../.cache/kernel-iptables');

let available: boolean | undefined;

/** Whether this machine can run the oracle: root, unshare, and iptables-legacy installed. */
export function kernelOracleAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync(
      'unshare',
      ['-n', 'sh', '-c', 'iptables-legacy-save >/dev/null && ip6tables-legacy-save >/dev/null'],
      {
        encoding: 'utf8',
      },
    );
    available = r.status === 0;
  }
  return available;
}

function run(
  family: Family,
  text: string,
  counters: boolean,
): { status: number; stdout: string; stderr: string } {
  const bin = family === 'ipv4' ? 'iptables' : 'ip6tables';
  const c = counters ? ' -c' : '';
  const r = spawnSync('unshare', ['-n', 'sh', '-c', `${bin}-legacy-restore${c} && ${bin}-legacy-save -c`], {
    input: text,
    encoding: 'utf8',
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Drops comment lines and orders table blocks as nfwasm's printer does. */
export function normaliseSave(output: string): string {
  const blocks = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of output.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    if (line.startsWith('*')) {
      current = [line];
      blocks.set(line.slice(1), current);
    } else current?.push(line);
  }
  const names = [...blocks.keys()].sort((a, b) => rank(a) - rank(b));
  return names.map((n) => `${blocks.get(n)!.join('\n')}\n`).join('');
}

function rank(table: string): number {
  const i = TABLE_ORDER.indexOf(table as (typeof TABLE_ORDER)[number]);
  return i < 0 ? TABLE_ORDER.length : i;
}

/** Restores `text` into a fresh namespace and returns iptables-save -c's answer (cached). */
export function kernelRoundTrip(family: Family, text: string): OracleResult {
  const key = createHash('sha256').update(`v1\0${family}\0${text}`).digest('hex').slice(0, 32);
  const cacheFile = join(CACHE_DIR, `${key}.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as OracleResult;
  let r = run(family, text, true);
  let countersRestored = true;
  // `-c` makes missing policy counters an error; plain iptables-restore accepts them.
  if (r.status !== 0 && /invalid policy counters/.test(r.stderr)) {
    r = run(family, text, false);
    countersRestored = false;
  }
  let result: OracleResult;
  if (r.status === 0) result = { ok: true, output: normaliseSave(r.stdout), countersRestored };
  else {
    const m = /(?:line:? )(\d+)/.exec(r.stderr);
    result = {
      ok: false,
      error: r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('Try '))
        .join(' '),
      line: m ? Number(m[1]) : undefined,
    };
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(result));
  return result;
}
