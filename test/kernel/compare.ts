// Developer tool: show where nfwasm and the kernel disagree on iptables-save files.
//   npx tsx test/kernel/compare.ts FILE... [-6]        files (family guessed from the name, -6 forces IPv6)
//   npx tsx test/kernel/compare.ts --corpus [FILTER]   corpus files whose path contains FILTER
//   npx tsx test/kernel/compare.ts --rule '-A INPUT -p tcp --dport 80' [-t nat] [-6]
// Prints one line per agreeing file and a diff for every disagreement.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NfwasmError } from '../../src/errors.js';
import { printIptablesSave } from '../../src/frontend/iptables/printer.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import type { Family } from '../../src/ir/address.js';
import { CORPUS, guessFamily, iptablesCorpusFiles } from './corpus-files.js';
import { kernelRoundTrip } from './iptables-oracle.js';

const args = process.argv.slice(2);
const force6 = args.includes('-6');
const tableIdx = args.indexOf('-t');
const table = tableIdx >= 0 ? args[tableIdx + 1]! : 'filter';
const inputs: { name: string; family: Family; text: string }[] = [];

if (args[0] === '--corpus') {
  const filter = args[1] ?? '';
  for (const f of iptablesCorpusFiles()) {
    if (f.path.includes(filter))
      inputs.push({ name: f.path, family: f.family, text: readFileSync(join(CORPUS, f.path), 'utf8') });
  }
} else if (args[0] === '--rule') {
  const rules = args.slice(1).filter((a, i, all) => a !== '-6' && a !== '-t' && all[i - 1] !== '-t');
  const text = `*${table}\n${rules.join('\n')}\nCOMMIT\n`;
  inputs.push({ name: '<rule>', family: force6 ? 'ipv6' : 'ipv4', text });
} else {
  for (const f of args.filter((a) => a !== '-6')) {
    inputs.push({ name: f, family: force6 ? 'ipv6' : guessFamily(f), text: readFileSync(f, 'utf8') });
  }
}

let bad = 0;
for (const input of inputs) {
  const k = kernelRoundTrip(input.family, input.text);
  let ours: string;
  try {
    ours = printIptablesSave(parseIptablesSave(input.text, { file: input.name, family: input.family }), {
      counters: true,
    });
  } catch (e) {
    if (!(e instanceof NfwasmError)) throw e;
    if (k.ok) {
      bad++;
      console.log(`DIFF ${input.name}: kernel accepts, nfwasm refuses: ${e.message}`);
    } else console.log(`ok   ${input.name}: both refuse\n     kernel: ${k.error}\n     nfwasm: ${e.message}`);
    continue;
  }
  if (!k.ok) {
    bad++;
    console.log(`DIFF ${input.name}: kernel refuses, nfwasm accepts\n     kernel: ${k.error}`);
    continue;
  }
  const expected = k.output;
  const got = k.countersRestored ? ours : ours.replace(/\[\d+:\d+\]/g, '[0:0]');
  if (expected === got) {
    console.log(`ok   ${input.name}`);
    continue;
  }
  bad++;
  console.log(`DIFF ${input.name}:`);
  const a = expected.split('\n');
  const b = got.split('\n');
  for (let i = 0, shown = 0; i < Math.max(a.length, b.length) && shown < 10; i++) {
    if (a[i] !== b[i]) {
      shown++;
      console.log(`  line ${i + 1}\n    kernel: ${a[i] ?? '<end>'}\n    nfwasm: ${b[i] ?? '<end>'}`);
    }
  }
}
console.log(`${inputs.length - bad} agree, ${bad} differ`);
process.exitCode = bad ? 1 : 0;
