// The kernel as the oracle for iptables command scripts: the script runs under bash in a fresh
// network namespace (unshare -n, nothing leaks into the host) with every iptables/ip6tables
// command (also sudo, /sbin/..., -nft and -legacy spellings) sent to the real iptables-legacy.
// The first command that fails stops the script and is reported with its line (bash's
// BASH_LINENO: the first physical line of a continued command); otherwise the answer is what
// iptables-legacy-save -c prints afterwards.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Family } from '../../src/ir/address.js';
import { normaliseSave } from './iptables-oracle.js';

export type ScriptOracleResult =
  | { readonly ok: true; readonly output: string }
  | { readonly ok: false; readonly line: number | undefined; readonly error: string };

const CACHE_DIR = join(import.meta.dirname, '../../.cache/kernel-iptables-scripts');
const MARK = 'NFWASM-ORACLE-FAILED';

/** Shell functions standing in for the commands a script may call (sourced through BASH_ENV). */
function prelude(): string {
  const run = (name: string, bin: string) => `${name}() { __nfwasm_run ${bin} "$@"; }`;
  return [
    '__nfwasm_run() {',
    '  local bin=$1; shift',
    '  command "$bin" "$@" && return 0',
    '  local rc=$?',
    `  echo "${MARK} line \${BASH_LINENO[\${#BASH_LINENO[@]}-2]} rc $rc" >&2`,
    '  exit 100',
    '}',
    'sudo() { "$@"; }',
    ...['iptables', 'iptables-legacy', 'iptables-nft'].map((n) => run(n, 'iptables-legacy')),
    ...['ip6tables', 'ip6tables-legacy', 'ip6tables-nft'].map((n) => run(n, 'ip6tables-legacy')),
    ...['iptables-save', 'iptables-legacy-save', 'iptables-nft-save'].map((n) =>
      run(n, 'iptables-legacy-save'),
    ),
    ...['ip6tables-save', 'ip6tables-legacy-save', 'ip6tables-nft-save'].map((n) =>
      run(n, 'ip6tables-legacy-save'),
    ),
    '',
  ].join('\n');
}

/** `/sbin/iptables` and `/usr/sbin/iptables` call the functions too (same line numbers). */
function rewritePaths(script: string): string {
  return script.replace(/(^|[\s;&|(])(?:\/usr)?\/s?bin\/(ip6?tables)/gm, '$1$2');
}

/** Runs the script in a fresh namespace; returns the first failure or the final save (cached). */
export function kernelRunScript(family: Family, script: string): ScriptOracleResult {
  const key = createHash('sha256').update(`v1\0${family}\0${script}`).digest('hex').slice(0, 32);
  const cacheFile = join(CACHE_DIR, `${key}.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as ScriptOracleResult;
  const dir = mkdtempSync(join(tmpdir(), 'nfwasm-script-'));
  let result: ScriptOracleResult;
  try {
    writeFileSync(join(dir, 'prelude.sh'), prelude());
    writeFileSync(join(dir, 'script.sh'), rewritePaths(script));
    const save = family === 'ipv4' ? 'iptables-legacy-save' : 'ip6tables-legacy-save';
    const r = spawnSync(
      'unshare',
      ['-n', 'bash', '-c', `BASH_ENV=prelude.sh bash script.sh >/dev/null && ${save} -c`],
      { cwd: dir, encoding: 'utf8' },
    );
    if (r.status === 0) result = { ok: true, output: normaliseSave(r.stdout) };
    else {
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Try '));
      const mark = lines.find((l) => l.startsWith(MARK));
      const bashLine = /script\.sh: line (\d+):/.exec(r.stderr);
      const m = mark ? /line (\d+)/.exec(mark) : bashLine;
      result = {
        ok: false,
        line: m ? Number(m[1]) : undefined,
        error: lines
          .filter((l) => !l.startsWith(MARK))
          .join(' ')
          .replace(/\s+/g, ' ')
          .trim(),
      };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(result));
  return result;
}
