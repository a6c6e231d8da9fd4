// Splitting a line into arguments, with the column of each so errors can point at it.

export interface Token {
  readonly text: string;
  /** 1-based column of the token's first character in its source line. */
  readonly column: number;
  /** Whether any part of it was quoted: a quoted "!" is an argument, not a negation. */
  readonly quoted: boolean;
}

/**
 * iptables-restore's own splitting (xshared.c add_param_to_argv): blanks separate arguments,
 * double quotes group, a backslash escapes only inside quotes, and a closing quote ends the
 * argument even when more text follows it.
 */
export function splitRestoreLine(line: string, firstColumn = 1): Token[] {
  const tokens: Token[] = [];
  let buf = '';
  let start = -1;
  let quoteOpen = false;
  let escaped = false;
  let quoted = false;
  const flush = (force: boolean) => {
    if (buf.length > 0 || force) {
      tokens.push({ text: buf, column: firstColumn + Math.max(start, 0), quoted });
    }
    buf = '';
    start = -1;
    quoted = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoteOpen) {
      if (escaped) {
        buf += c;
        escaped = false;
        continue;
      }
      if (c === '\\') {
        escaped = true;
        continue;
      }
      if (c !== '"') {
        buf += c;
        continue;
      }
      quoteOpen = false;
      flush(true);
      continue;
    }
    if (c === '"') {
      if (start < 0) start = i;
      quoteOpen = true;
      quoted = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n') {
      if (buf.length > 0) flush(false);
      continue;
    }
    if (start < 0) start = i;
    buf += c;
  }
  if (buf.length > 0) flush(false);
  return tokens;
}

/**
 * POSIX shell word splitting for iptables command scripts: single quotes, double quotes with
 * backslash escapes, backslash outside quotes, and `#` comments at the start of a word.
 * Expansions ($VAR, $(...)) are not performed; callers reject words that need them.
 */
export function splitShellWords(line: string, firstColumn = 1): { tokens: Token[]; unterminated: boolean } {
  const tokens: Token[] = [];
  let buf = '';
  let start = -1;
  let quoted = false;
  let inWord = false;
  let i = 0;
  const begin = () => {
    if (!inWord) {
      inWord = true;
      start = i;
    }
  };
  const end = () => {
    if (inWord) tokens.push({ text: buf, column: firstColumn + start, quoted });
    buf = '';
    inWord = false;
    quoted = false;
  };
  for (; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      end();
      continue;
    }
    if (c === '#' && !inWord) break;
    if (c === "'") {
      begin();
      quoted = true;
      const close = line.indexOf("'", i + 1);
      if (close < 0) return { tokens, unterminated: true };
      buf += line.slice(i + 1, close);
      i = close;
      continue;
    }
    if (c === '"') {
      begin();
      quoted = true;
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '$`"\\\n'.includes(line[j + 1]!)) j++;
        buf += line[j];
      }
      if (j >= line.length) return { tokens, unterminated: true };
      i = j;
      continue;
    }
    if (c === '\\' && i + 1 < line.length) {
      begin();
      quoted = true;
      buf += line[++i];
      continue;
    }
    begin();
    buf += c;
  }
  end();
  return { tokens, unterminated: false };
}
