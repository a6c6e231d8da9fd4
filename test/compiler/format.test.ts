// The table as bytes: loading what compile wrote (also through a file's unaligned bytes), and
// clear refusals of anything else.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { HEADER, Section } from '../../src/compiler/format.js';
import { loadTable, TableFormatError } from '../../src/compiler/load.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';

const DOCKER = join(import.meta.dirname, '../../examples/docker-host/rules.v4');
const ruleset = parseIptablesSave(readFileSync(DOCKER, 'utf8'), { file: 'rules.v4', family: 'ipv4' });

function bytes(): Uint8Array {
  return new Uint8Array(compile(ruleset).buffer);
}

describe('table format v1', () => {
  it('loads what it wrote, from any byte offset', () => {
    const b = bytes();
    const shifted = new Uint8Array(b.length + 1).subarray(1);
    shifted.set(b);
    const t = loadTable(shifted);
    expect(t.counts[Section.RULES]).toBe(21);
    expect(t.family).toBe('ipv4');
    expect(t.strings).toContain('docker0');
  });

  it('refuses a bad magic, a newer version and truncation, saying which', () => {
    const bad = bytes();
    bad[0] = 0x58;
    expect(() => loadTable(bad)).toThrow(/bad magic/);
    const newer = bytes();
    new Uint32Array(newer.buffer)[HEADER.VERSION] = 5;
    expect(() => loadTable(newer)).toThrow(/format version 5, this nfwasm reads version 4/);
    const b = bytes();
    expect(() => loadTable(b.subarray(0, b.length - 8))).toThrow(/truncated/);
    expect(() => loadTable(b.subarray(0, 10))).toThrow(TableFormatError);
  });

  it('refuses a corrupted cross-reference', () => {
    const t = compile(ruleset);
    const b = new Uint8Array(t.buffer.slice(0));
    const words = new Uint32Array(b.buffer);
    // The first jump's target chain, pointed past the chains.
    const rules = t.sections[Section.RULES];
    const jump = rules.findIndex((w, i) => i % 8 === 2 && w === 5);
    words[rules.byteOffset / 4 + jump + 1] = 999;
    expect(() => loadTable(b)).toThrow(/jump to chain 999 out of range/);
  });
});
