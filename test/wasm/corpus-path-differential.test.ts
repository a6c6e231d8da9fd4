// The whole packet path on every IPv4 ruleset of the iptables-save corpus: a generated trace
// (connections, replies, ICMP, invalid packets; addresses and ports from the ruleset) through the
// WebAssembly engine and the reference engine on the routed host fixture, every packet's fate,
// emitted bytes, counters and connection table compared (engine-compare.ts). The classifier
// alone is checked on the same rulesets in differential.test.ts. NFWASM_FUZZ=long runs longer
// traces.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NfwasmError } from '../../src/errors.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import { parseHostFile } from '../../src/host/index.js';
import type { Ruleset } from '../../src/ir/ruleset.js';
import { CORPUS, iptablesCorpusFiles } from '../kernel/corpus-files.js';
import { compare, trace } from './engine-compare.js';

const LONG = process.env.NFWASM_FUZZ === 'long';
const HOST = join(import.meta.dirname, '../fixtures/wasm-engine/routed-host.json');
const files = iptablesCorpusFiles().filter((f) => f.family === 'ipv4');

describe('WebAssembly engine = reference engine on the corpus rulesets', () => {
  it.skipIf(files.length === 0)(
    'every IPv4 ruleset the front end takes, on a generated trace',
    () => {
      const host = parseHostFile(readFileSync(HOST, 'utf8'), { file: HOST });
      let rulesets = 0;
      let packets = 0;
      for (const [i, f] of files.entries()) {
        let ruleset: Ruleset;
        try {
          ruleset = parseIptablesSave(readFileSync(join(CORPUS, f.path), 'utf8'), {
            file: f.path,
            family: 'ipv4',
          });
        } catch (e) {
          if (!(e instanceof NfwasmError)) throw e;
          continue;
        }
        const s = { ruleset, host };
        const bytes = trace(s, i + 1, LONG ? 5000 : 400, 'tcp=50,udp=30,icmp=15,invalid=5');
        try {
          packets += compare(s, bytes, [1, 7, 64][i % 3]!).packets;
        } catch (e) {
          throw new Error(`${f.path}: ${(e as Error).message}`);
        }
        rulesets++;
      }
      expect(rulesets).toBeGreaterThan(200);
      expect(packets).toBeGreaterThan(rulesets * 300);
    },
    600_000,
  );
});
