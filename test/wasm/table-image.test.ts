// The table image the WebAssembly module holds (src/engine/wasm/table-image.ts): the same
// sections with STRINGS cut down to the names wildcard interface tests compare, so that comments
// and source text stay on the host while `-i veth+` still matches in WebAssembly.

import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { Section } from '../../src/compiler/format.js';
import { TableInterpreter } from '../../src/compiler/interpret.js';
import { loadTable } from '../../src/compiler/load.js';
import { WasmClassifier } from '../../src/engine/wasm/index.js';
import { stringsReadInWasm, wasmTableImage } from '../../src/engine/wasm/table-image.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import { parsePacketSpec } from '../../src/wire/packet-text.js';

const COMMENT = 'a long comment that only explanations print '.repeat(5);

function table() {
  const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]'];
  for (let i = 0; i < 200; i++)
    lines.push(`-A FORWARD -d 10.0.${i}.0/24 -m comment --comment "${COMMENT}${i}" -j LOG`);
  lines.push(
    '-A FORWARD -i veth+ ! -o br-+ -j DROP',
    '-A FORWARD -i eth0 -o br-lan -m comment --comment "lan" -j ACCEPT',
    '-A FORWARD -o br-+ -j ACCEPT',
    'COMMIT',
    '',
  );
  return compile(parseIptablesSave(lines.join('\n'), { file: 'image.v4', family: 'ipv4' }));
}

describe('the table image in WebAssembly memory', () => {
  it('keeps only the wildcard interface names of STRINGS, under the same ids', () => {
    const t = table();
    const kept = [...stringsReadInWasm(t)].map((id) => t.strings[id]).sort();
    expect(kept).toEqual(['br-', 'veth']);
    const image = loadTable(wasmTableImage(t));
    expect(image.strings.length).toBe(t.strings.length);
    for (const [id, s] of t.strings.entries()) expect(image.strings[id]).toBe(kept.includes(s) ? s : '');
    for (const id of Object.values(Section))
      if (id !== Section.STRINGS) expect(image.sections[id]).toEqual(t.sections[id]);
    // 200 comments of about 220 bytes and the rules' source text are left out.
    expect(image.buffer.byteLength).toBeLessThan(t.buffer.byteLength - 80_000);
  });

  it('decides wildcard interface rules in WebAssembly as the interpreter does', () => {
    const t = table();
    const interp = new TableInterpreter(t);
    const chain = interp.chainIndex('filter', 'FORWARD');
    const wasm = new WasmClassifier(t);
    const cases: [string, string, string][] = [
      ['veth1a2b', 'eth0', 'DROP'],
      ['veth1a2b', 'br-x', 'ACCEPT'],
      ['eth0', 'br-lan', 'ACCEPT'],
      ['eth0', 'br-other', 'ACCEPT'],
      ['eth0', 'eth1', 'policy'],
      ['vet', 'eth1', 'policy'],
    ];
    const batch = wasm.batch(cases.length, cases.length * 64);
    for (const [iif, oif] of cases) {
      const s = parsePacketSpec('tcp 192.0.2.1:40000 > 198.51.100.1:80');
      if ('error' in s) throw new Error(s.error);
      batch.add(s.bytes, { chain, iif, oif, mark: 0 });
    }
    wasm.classify(batch);
    const r = batch.results();
    const got = cases.map((_, i) =>
      r[2 * i]! >>> 8 === 1 ? 'policy' : (r[2 * i]! & 0xff) === 1 ? 'ACCEPT' : 'DROP',
    );
    expect(got).toEqual(cases.map((c) => c[2]));
  });
});
