// Number parsing with the exact rules iptables uses (xtables_strtoui: strtoul with base 0, so
// "0x10" and "010" are hexadecimal and octal), so rulesets mean the same thing here as there.

/** strtoul(text, &end, base) over the whole string; undefined unless all of it is consumed. */
export function parseUnsigned(text: string, base: 0 | 10 | 16 = 0): number | undefined {
  let s = text.trim() === text ? text : text.trimStart();
  if (s.length === 0) return undefined;
  if (s[0] === '+') s = s.slice(1);
  let radix = base;
  if (base === 0 || base === 16) {
    if (/^0[xX]/.test(s)) {
      radix = 16;
      s = s.slice(2);
    } else if (base === 0 && s.length > 1 && s[0] === '0') {
      radix = 8 as 10;
      s = s.slice(1);
    } else if (base === 0) radix = 10;
  }
  const digits = radix === 16 ? /^[0-9a-fA-F]+$/ : (radix as number) === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!digits.test(s)) return undefined;
  const n = Number.parseInt(s, radix);
  return Number.isSafeInteger(n) ? n : undefined;
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
