// Scripts of iptables commands (test/fixtures/scripts/*.sh): nfwasm must end with exactly the
// ruleset the kernel ends with after running the same commands with the real iptables-legacy,
// or refuse the script on the line where the real iptables first fails.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NfwasmError } from '../src/errors.js';
import { printIptablesSave } from '../src/frontend/iptables/printer.js';
import { parseIptablesSave } from '../src/frontend/iptables/restore-parser.js';
import { parseIptablesScript } from '../src/frontend/iptables/script.js';
import type { Family } from '../src/ir/address.js';
import type { Ruleset } from '../src/ir/ruleset.js';
import { kernelOracleAvailable } from './kernel/iptables-oracle.js';
import { kernelRunScript } from './kernel/script-oracle.js';

const DIR = join(import.meta.dirname, 'fixtures/scripts');
const scripts = readdirSync(DIR)
  .filter((f) => f.endsWith('.sh'))
  .sort();
const kernel = kernelOracleAvailable();
if (!kernel)
  console.warn(
    'iptables scripts: kernel oracle unavailable (needs root, unshare, iptables-legacy): kernel comparison skipped',
  );

/** The family of the first iptables/ip6tables command, as parseIptablesScript decides it. */
function scriptFamily(text: string): Family {
  const m = /^[ \t]*(?:sudo[ \t]+)?(?:\S*\/)?(ip6?tables)/m.exec(text);
  return m?.[1] === 'ip6tables' ? 'ipv6' : 'ipv4';
}

/** The physical lines of the command starting at `line` (continuations included). */
function commandLines(text: string, line: number): [number, number] {
  const lines = text.split('\n');
  let last = line;
  while (last <= lines.length && /\\$/.test(lines[last - 1] ?? '')) last++;
  return [line, last];
}

/** The IR without source positions (rules and chains keep where they came from). */
function withoutSources(r: Ruleset): unknown {
  return JSON.parse(
    JSON.stringify(r, (k, v) => (k === 'source' ? undefined : typeof v === 'bigint' ? `${v}n` : v)),
  );
}

function run(file: string) {
  const text = readFileSync(join(DIR, file), 'utf8');
  try {
    return { text, ruleset: parseIptablesScript(text, { file }), error: undefined };
  } catch (e) {
    if (!(e instanceof NfwasmError)) throw e;
    return { text, ruleset: undefined, error: e };
  }
}

describe('iptables command scripts', () => {
  it('has fixtures', () => expect(scripts.length).toBeGreaterThanOrEqual(10));

  describe.skipIf(!kernel)('agree with the kernel', () => {
    for (const file of scripts) {
      it(file, () => {
        const r = run(file);
        const k = kernelRunScript(scriptFamily(r.text), r.text);
        if (k.ok) {
          expect(r.error?.message, `kernel accepts ${file}`).toBeUndefined();
          expect(printIptablesSave(r.ruleset!, { counters: true })).toBe(k.output);
        } else {
          expect(r.error, `kernel refuses ${file} at line ${k.line}: ${k.error}`).toBeDefined();
          const [first, last] = commandLines(r.text, k.line ?? 0);
          const at = r.error!.position.line;
          expect(
            at >= first && at <= last,
            `kernel fails at line ${k.line} (${k.error}), nfwasm: ${r.error!.message}`,
          ).toBe(true);
        }
      });
    }
  });

  describe('give the same IR as the equivalent iptables-save dump', () => {
    // Scripts that fail on purpose have no ruleset to compare.
    for (const file of scripts) {
      const r = run(file);
      if (!r.ruleset) continue;
      it(file, () => {
        const ruleset = r.ruleset!;
        const dump = printIptablesSave(ruleset, { counters: true });
        const again = parseIptablesSave(dump, { file: `${file}.save`, family: ruleset.family });
        expect(withoutSources(again)).toEqual(withoutSources(ruleset));
      });
    }
  });

  it('reads the Docker chains of seed 001 like the hand-written dump', () => {
    const script = [
      'iptables -N DOCKER-USER',
      'iptables -N DOCKER-ISOLATION-STAGE-1',
      'iptables -A FORWARD -j DOCKER-USER',
      'iptables -A FORWARD -j DOCKER-ISOLATION-STAGE-1',
      'iptables -A FORWARD -i docker0 ! -o docker0 -j ACCEPT',
      'iptables -A DOCKER-ISOLATION-STAGE-1 -j RETURN',
      'iptables -A DOCKER-USER -j RETURN',
      'iptables -I DOCKER-USER -s 172.16.0.0/24 -p tcp -m tcp --dport 8080 -j ACCEPT',
      '',
    ].join('\n');
    const save = [
      '*filter',
      ':INPUT ACCEPT [0:0]',
      ':FORWARD ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      ':DOCKER-ISOLATION-STAGE-1 - [0:0]',
      ':DOCKER-USER - [0:0]',
      '-A FORWARD -j DOCKER-USER',
      '-A FORWARD -j DOCKER-ISOLATION-STAGE-1',
      '-A FORWARD -i docker0 ! -o docker0 -j ACCEPT',
      '-A DOCKER-ISOLATION-STAGE-1 -j RETURN',
      '-A DOCKER-USER -s 172.16.0.0/24 -p tcp -m tcp --dport 8080 -j ACCEPT',
      '-A DOCKER-USER -j RETURN',
      'COMMIT',
      '',
    ].join('\n');
    const a = parseIptablesScript(script, { file: 'docker.sh' });
    const b = parseIptablesSave(save, { file: 'docker.rules', family: 'ipv4' });
    expect(withoutSources(a)).toEqual(withoutSources(b));
    expect(a.tables.map((t) => t.name)).toEqual(['filter']);
  });

  it('keeps the first physical line and the joined text on each rule', () => {
    const r = parseIptablesScript('# x\niptables -A INPUT -p tcp \\\n  --dport 22 -j ACCEPT\n', {
      file: 's.sh',
    });
    const rule = r.tables[0]!.chains[0]!.rules[0]!;
    expect(rule.source).toEqual({
      file: 's.sh',
      line: 2,
      text: 'iptables -A INPUT -p tcp   --dport 22 -j ACCEPT',
    });
  });

  it('points errors on continuation lines at their own line and column', () => {
    expect(() =>
      parseIptablesScript('iptables -A INPUT \\\n  -p tcp --dport 99999 -j ACCEPT\n', { file: 's.sh' }),
    ).toThrow(/^s\.sh:2:/);
  });

  it('reads the requested family of a mixed script', () => {
    const text = 'iptables -A INPUT -j ACCEPT\nip6tables -A OUTPUT -j DROP\n';
    const v6 = parseIptablesScript(text, { file: 'm.sh', family: 'ipv6' });
    expect(v6.family).toBe('ipv6');
    expect(printIptablesSave(v6)).toContain('-A OUTPUT -j DROP');
    expect(printIptablesSave(v6)).not.toContain('-A INPUT');
  });

  it('gives an empty ruleset for a script without commands', () => {
    expect(parseIptablesScript('# nothing\n\n', { file: 'e.sh' }).tables).toEqual([]);
  });
});
