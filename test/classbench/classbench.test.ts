// The ClassBench reader: filter lines into the IR, errors naming file:line:column, and the
// packet generator hitting the filters it is drawn from.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { type InterpretCallbacks, TableInterpreter } from '../../src/compiler/interpret.js';
import { CONTINUE } from '../../src/engine/verdict.js';
import { NfwasmError } from '../../src/errors.js';
import {
  filtersToRuleset,
  generateTrace,
  parseClassBench,
  parseFilterLine,
  parseFilters,
  tuplePacket,
} from '../../src/frontend/classbench/index.js';
import { decodePacket, isDecodeError } from '../../src/wire/packet.js';
import { fakeContext } from '../engine/fake-context.js';

const FIXTURE = join(import.meta.dirname, 'fixtures/small_filters');
const text = readFileSync(FIXTURE, 'utf8');

function errorOf(line: string): string {
  try {
    parseFilterLine(line, 'f', 3);
  } catch (e) {
    if (e instanceof NfwasmError) return e.message;
    throw e;
  }
  return 'no error';
}

describe('ClassBench filters', () => {
  it('reads every field of a line', () => {
    const [f] = parseFilters(text, 'small_filters');
    expect(f).toMatchObject({
      src: 0x0a000000,
      srcLen: 8,
      dst: 0xc0a80100,
      dstLen: 24,
      sportLo: 0,
      sportHi: 65535,
      dportLo: 80,
      dportHi: 80,
      proto: 6,
      protoMask: 0xff,
      line: 1,
    });
    expect(parseFilters(text, 'small_filters').map((x) => x.line)).toEqual([1, 2, 4, 5]);
  });

  it('lowers filters to the IR: prefixes, protocol, tcp/udp ports, generic ports, alternating actions', () => {
    const r = parseClassBench(text, { file: 'small_filters' });
    const chain = r.tables[0]!.chains[0]!;
    expect(r.tables[0]!.name).toBe('filter');
    expect(chain.name).toBe('FORWARD');
    expect(chain.base?.policy).toBe('DROP');
    const kinds = chain.rules.map((x) => x.matches.map((m) => m.kind).join(' '));
    expect(kinds).toEqual([
      'source destination protocol tcp',
      'destination protocol udp',
      'source protocol multiport',
      '',
    ]);
    expect(chain.rules[0]!.matches[3]).toEqual({
      kind: 'tcp',
      dport: { value: { from: 80, to: 80 }, invert: false },
    });
    expect(chain.rules[2]!.matches[2]).toEqual({
      kind: 'multiport',
      direction: 'source',
      ports: [{ from: 1024, to: 65535 }],
      invert: false,
    });
    expect(chain.rules.map((x) => x.target?.kind)).toEqual(['ACCEPT', 'DROP', 'ACCEPT', 'DROP']);
    expect(chain.rules[1]!.source).toMatchObject({ file: 'small_filters', line: 2 });
    const same = parseClassBench(text, { file: 'f', action: 'accept', policy: 'ACCEPT', chain: 'INPUT' });
    expect(same.tables[0]!.chains[0]!.rules.every((x) => x.target?.kind === 'ACCEPT')).toBe(true);
  });

  it('names file:line:column in errors', () => {
    expect(errorOf('10.0.0.0/8\t0.0.0.0/0\t0 : 1\t0 : 1\t0x06/0xFF')).toBe(
      "f:3:1: expected '@' starting a filter, found '1'",
    );
    expect(errorOf('@10.0.0.300/8\t0.0.0.0/0\t0 : 1\t0 : 1\t0x06/0xFF')).toBe(
      'f:3:9: source address byte 300 is out of range 0-255',
    );
    expect(errorOf('@10.0.0.1/8\t0.0.0.0/0\t0 : 1\t0 : 1\t0x06/0xFF')).toBe(
      'f:3:11: source address has bits set beyond /8',
    );
    expect(errorOf('@10.0.0.0/8\t0.0.0.0/0\t9 : 1\t0 : 1\t0x06/0xFF')).toBe(
      'f:3:23: source port range 9 : 1 is empty',
    );
    expect(errorOf('@10.0.0.0/8\t0.0.0.0/0\t0 : 1\t0 : 1\t0x06/0xF0')).toBe(
      'f:3:40: protocol mask 0xf0 is neither 0x00 (any) nor 0xFF (exact)',
    );
    expect(errorOf('@10.0.0.0/8\t0.0.0.0/0\t0 : 1\t0 : 1\t0x06/0xFF\t0x0000/0x0000\tx')).toBe(
      "f:3:59: unexpected 'x' after the filter",
    );
    expect(() => parseClassBench('\n@1.2.3.4/40\t0.0.0.0/0', { file: 'g' })).toThrow(
      /^g:2:10: source prefix length 40 is out of range 0-32$/,
    );
  });

  it('generates packets that hit the filters they are drawn from', () => {
    const filters = parseFilters(text, 'small_filters');
    const ruleset = filtersToRuleset(filters.slice(0, 3), { file: 'small_filters', action: 'accept' });
    const interp = new TableInterpreter(compile(ruleset));
    const chain = interp.chainIndex('filter', 'FORWARD');
    const cb: InterpretCallbacks = { target: () => CONTINUE, count: () => {} };
    const trace = generateTrace(filters.slice(0, 3), 300, { seed: 7, uniform: 0 });
    expect(generateTrace(filters, 5, { seed: 7 })).toEqual(generateTrace(filters, 5, { seed: 7 }));
    for (const t of trace) {
      const bytes = tuplePacket(t);
      const decoded = decodePacket(bytes, 'raw-ipv4');
      if (isDecodeError(decoded)) throw new Error(decoded.error);
      const p = {
        bytes,
        decoded,
        timestampNs: 0n,
        iif: 'eth0',
        oif: 'eth1',
        physIn: null,
        physOut: null,
        bridged: false,
        macSrc: null,
        macDst: null,
        mark: 0,
        socket: null,
      };
      const r = interp.walk(chain, fakeContext(p, { hook: 'forward', table: 'filter' }), bytes.length, cb);
      expect(r.verdict).toBe('ACCEPT');
    }
  });
});
