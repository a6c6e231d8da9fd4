// Every input error names where it is (file:line:column) and what was expected, so a user can
// jump straight to it. Nothing is half-applied: loaders throw before returning a ruleset.

export interface SourcePosition {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** 1-based column number; 0 when the error concerns the whole line. */
  readonly column: number;
}

export class NfwasmError extends Error {
  override readonly name = 'NfwasmError';
  constructor(
    readonly position: SourcePosition,
    /** The problem alone, without the position prefix. */
    readonly detail: string,
  ) {
    super(`${formatPosition(position)}: ${detail}`);
  }
}

export function formatPosition(p: SourcePosition): string {
  return p.column > 0 ? `${p.file}:${p.line}:${p.column}` : `${p.file}:${p.line}`;
}
