// Splitting a line into arguments, with the column of each so errors can point at it.

export interface Token {
  readonly text: string;
  /** 1-based column of the token's first character in its source line. */
  readonly column: number;
  /**
   * Whether any part of it was quoted. Only informational: iptables never sees quotes (a quoted
   * `!` still inverts, a quoted `-s` is still an option).
   */
  readonly quoted: boolean;
}

/**
 * iptables-restore's own splitting (xshared.c add_param_to_argv): blanks (space, tab, newline;
 * not `\r`) separate arguments, double quotes group, a backslash escapes only inside quotes, and
 * a closing quote ends the argument even when more text follows it (`"a"b` is `a` then `b`).
 * An argument whose quote is never closed runs to the end of the line, and takes the line's
 * newline with it (fgets keeps the `\n`, and inside quotes it is an ordinary character):
 * pass `newline` when the line had one.
 */
export function splitRestoreLine(line: string, firstColumn = 1, newline = false): Token[] {
  const tokens: Token[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a) {
      i++;
      continue;
    }
    // An argument starts here. Fast path: a run without quotes, taken as one slice.
    const start = i;
    while (i < n) {
      c = line.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x22) break;
      i++;
    }
    if (i >= n || c !== 0x22) {
      tokens.push({ text: line.slice(start, i), column: firstColumn + start, quoted: false });
      continue;
    }
    // A quote opens (possibly after unquoted text): copy up to the closing quote, unescaping.
    let text = line.slice(start, i);
    i++;
    let from = i;
    let closed = false;
    while (i < n) {
      c = line.charCodeAt(i);
      if (c === 0x5c) {
        text += line.slice(from, i);
        if (i + 1 < n) text += line[i + 1];
        i += 2;
        from = i;
        continue;
      }
      if (c === 0x22) {
        closed = true;
        break;
      }
      i++;
    }
    text += line.slice(from, Math.min(i, n));
    if (closed) {
      // The closing quote ends the argument, even an empty one.
      tokens.push({ text, column: firstColumn + start, quoted: true });
      i++;
    } else {
      if (newline) text += '\n';
      if (text.length > 0) tokens.push({ text, column: firstColumn + start, quoted: true });
    }
  }
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
