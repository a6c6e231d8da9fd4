// Number parsing with the exact rules iptables uses (xtables_strtoui: strtoul with base 0, so
// "0x10" and "010" are hexadecimal and octal), so rulesets mean the same thing here as there.

/** strtoul(text, &end, base) over the whole string; undefined unless all of it is consumed. */
export function parseUnsigned(text: string, base: 0 | 10 | 16 = 0): number | undefined {
  // strtoul skips leading blanks; trailing ones are left unconsumed (so the text is refused).
  const first = text.charCodeAt(0);
  const s = first > 0x20 && first < 0x7f ? text : text.trimStart();
  const n = s.length;
  if (n === 0) return undefined;
  let i = s.charCodeAt(0) === 0x2b /* + */ ? 1 : 0;
  let radix = base === 16 ? 16 : 10;
  if (base !== 10 && n - i >= 2 && s.charCodeAt(i) === 0x30 && (s.charCodeAt(i + 1) | 0x20) === 0x78) {
    radix = 16; // 0x / 0X
    i += 2;
  } else if (base === 0 && n - i > 1 && s.charCodeAt(i) === 0x30) {
    radix = 8; // a leading 0
    i += 1;
  }
  if (i >= n) return undefined;
  let value = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    let digit: number;
    if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
    else {
      const lower = c | 0x20;
      if (radix !== 16 || lower < 0x61 || lower > 0x66) return undefined;
      digit = lower - 0x61 + 10;
    }
    if (digit >= radix) return undefined;
    value = value * radix + digit;
  }
  return Number.isSafeInteger(value) ? value : undefined;
}

/** xtables_strtoui: an unsigned number within [min, max], or undefined. */
export function parseUintInRange(
  text: string,
  min: number,
  max: number,
  base: 0 | 10 | 16 = 0,
): number | undefined {
  const n = parseUnsigned(text, base);
  return n !== undefined && n >= min && n <= max ? n : undefined;
}
