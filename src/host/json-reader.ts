// Typed reading of the host file's JSON: every accessor knows the JSON path it reads, so an
// error can say exactly where the file is wrong and what was expected there
// (`host.json: addr[2].addr_info[0].prefixlen: expected a number`).

import { NfwasmError } from '../errors.js';

/** A host file error, located by its JSON path (the file has no line structure worth citing). */
export class HostFileError extends NfwasmError {
  constructor(
    readonly file: string,
    /** JSON path of the offending value, e.g. `addr[2].addr_info[0].prefixlen`; '' for the root. */
    readonly path: string,
    detail: string,
  ) {
    super({ file, line: 0, column: 0 }, path ? `${path}: ${detail}` : detail);
    this.message = `${file}: ${path ? `${path}: ` : ''}${detail}`;
  }
}

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [k: string]: JsonValue };

function describe(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** A JSON value with the path it was read from. */
export class JsonAt {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly value: JsonValue | undefined,
  ) {}

  static parse(text: string, file: string): JsonAt {
    try {
      return new JsonAt(file, '', JSON.parse(text) as JsonValue);
    } catch (e) {
      throw new HostFileError(file, '', `not valid JSON: ${(e as Error).message}`);
    }
  }

  fail(expected: string): never {
    throw new HostFileError(this.file, this.path, `expected ${expected}, found ${describe(this.value)}`);
  }

  error(detail: string): HostFileError {
    return new HostFileError(this.file, this.path, detail);
  }

  get present(): boolean {
    return this.value !== undefined;
  }

  field(name: string): JsonAt {
    const v = this.value;
    const inner =
      v !== null && typeof v === 'object' && !Array.isArray(v)
        ? (v as Record<string, JsonValue>)[name]
        : undefined;
    return new JsonAt(this.file, this.path ? `${this.path}.${name}` : name, inner);
  }

  object(): JsonAt {
    const v = this.value;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail('an object');
    return this;
  }

  keys(): string[] {
    return Object.keys(this.object().value as Record<string, JsonValue>);
  }

  array(): JsonAt[] {
    const v = this.value;
    if (!Array.isArray(v)) this.fail('an array');
    return (v as readonly JsonValue[]).map((item, i) => new JsonAt(this.file, `${this.path}[${i}]`, item));
  }

  string(): string {
    if (typeof this.value !== 'string') this.fail('a string');
    return this.value as string;
  }

  number(): number {
    if (typeof this.value !== 'number') this.fail('a number');
    return this.value as number;
  }

  /** A non-negative integer up to `max` (JSON has no integer type; iproute2 prints them bare). */
  uint(max = 0xffffffff): number {
    const n = this.number();
    if (!Number.isInteger(n) || n < 0 || n > max) this.fail(`an integer from 0 to ${max}`);
    return n;
  }

  boolean(): boolean {
    if (typeof this.value !== 'boolean') this.fail('true or false');
    return this.value as boolean;
  }

  optional<T>(read: (at: JsonAt) => T): T | undefined {
    return this.value === undefined ? undefined : read(this);
  }
}
