// The module's mutable globals exported as `g<index>`, so that an engine's whole state — linear
// memory and the globals AssemblyScript keeps its module-level variables in — can be saved and
// put back (WasmEngine.snapshot). asc has no option for it, so the binary's export section is
// rewritten at load time: the module's code is unchanged.
//
// Reads only what it needs of the binary format (WebAssembly core spec, "Binary Format"): the
// import section for the count of imported globals, the global section for each global's
// mutability and the extent of its initialiser, and the export section, which it rebuilds.

const SECTION_IMPORT = 2;
const SECTION_GLOBAL = 6;
const SECTION_EXPORT = 7;
const KIND_GLOBAL = 3;
const OP_END = 0x0b;

/** The exported name of global `index` (its index in the global index space). */
export function globalExportName(index: number): string {
  return `g${index}`;
}

class Reader {
  constructor(
    readonly b: Uint8Array,
    public at: number,
  ) {}

  byte(): number {
    if (this.at >= this.b.length) throw new Error('nfwasm wasm: module truncated');
    return this.b[this.at++]!;
  }

  /** An unsigned LEB128 (up to 32 bits). */
  u32(): number {
    let v = 0;
    let shift = 0;
    for (;;) {
      const x = this.byte();
      v += (x & 0x7f) * 2 ** shift;
      if ((x & 0x80) === 0) return v;
      shift += 7;
    }
  }

  /** Skips a signed or unsigned LEB128 of any width. */
  skipLeb(): void {
    while ((this.byte() & 0x80) !== 0);
  }

  skipName(): void {
    const length = this.u32();
    this.at += length;
  }

  /** Skips a constant expression (the opcodes a global's initialiser may hold) through its end. */
  skipConstExpr(): void {
    for (;;) {
      const op = this.byte();
      if (op === OP_END) return;
      if (op === 0x41 || op === 0x42 || op === 0x23 || op === 0xd2) this.skipLeb();
      else if (op === 0x43) this.at += 4;
      else if (op === 0x44) this.at += 8;
      else if (op === 0xd0) this.byte();
      else if (op !== 0x6a && op !== 0x6b && op !== 0x6c && op !== 0x7c && op !== 0x7d && op !== 0x7e)
        throw new Error(`nfwasm wasm: opcode 0x${op.toString(16)} in a global's initialiser`);
    }
  }
}

function leb(v: number): number[] {
  const out: number[] = [];
  do {
    let x = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) x |= 0x80;
    out.push(x);
  } while (v > 0);
  return out;
}

/** The indexes of the mutable globals the module defines. */
function mutableGlobals(bytes: Uint8Array): { globals: number[]; exportAt?: { start: number; end: number } } {
  const r = new Reader(bytes, 8);
  let imported = 0;
  const globals: number[] = [];
  let exportAt: { start: number; end: number } | undefined;
  while (r.at < bytes.length) {
    const start = r.at;
    const id = r.byte();
    const size = r.u32();
    const end = r.at + size;
    if (id === SECTION_IMPORT) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        r.skipName();
        r.skipName();
        const kind = r.byte();
        if (kind === 0) r.skipLeb();
        else if (kind === 1 || kind === 2) {
          if (kind === 1) r.byte();
          const flags = r.u32();
          r.skipLeb();
          if (flags & 1) r.skipLeb();
        } else if (kind === KIND_GLOBAL) {
          r.byte();
          r.byte();
          imported++;
        } else throw new Error(`nfwasm wasm: import kind ${kind}`);
      }
    } else if (id === SECTION_GLOBAL) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        r.byte();
        if (r.byte() === 1) globals.push(imported + i);
        r.skipConstExpr();
      }
    } else if (id === SECTION_EXPORT) exportAt = { start, end };
    r.at = end;
  }
  return exportAt ? { globals, exportAt } : { globals };
}

/** The module's bytes with every mutable global it defines exported (globalExportName). */
export function exportMutableGlobals(bytes: Uint8Array): Uint8Array {
  const { globals, exportAt } = mutableGlobals(bytes);
  if (globals.length === 0) return bytes;
  if (!exportAt) throw new Error('nfwasm wasm: the module has no export section');
  // The new export section: the old entries, then one per mutable global.
  const old = new Reader(bytes, exportAt.start + 1);
  old.u32(); // the section's size
  const count = old.u32();
  const entries: number[] = [...bytes.subarray(old.at, exportAt.end)];
  const encoder = new TextEncoder();
  for (const g of globals) {
    const name = encoder.encode(globalExportName(g));
    entries.push(...leb(name.length), ...name, KIND_GLOBAL, ...leb(g));
  }
  const body = [...leb(count + globals.length), ...entries];
  const section = Uint8Array.from([SECTION_EXPORT, ...leb(body.length), ...body]);
  const out = new Uint8Array(exportAt.start + section.length + (bytes.length - exportAt.end));
  out.set(bytes.subarray(0, exportAt.start));
  out.set(section, exportAt.start);
  out.set(bytes.subarray(exportAt.end), exportAt.start + section.length);
  return out;
}
