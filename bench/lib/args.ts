// Command-line flags shared by the benchmarks: `--name value` pairs and bare switches.

export class BenchArgs {
  constructor(private readonly argv: readonly string[] = process.argv.slice(2)) {}

  /** The value after `flag`, or undefined. */
  value(flag: string): string | undefined {
    const i = this.argv.indexOf(flag);
    return i >= 0 ? this.argv[i + 1] : undefined;
  }

  number(flag: string, fallback: number): number {
    const v = this.value(flag);
    return v === undefined ? fallback : Number(v);
  }

  /** A comma-separated list. */
  list(flag: string, fallback: string): string[] {
    return (this.value(flag) ?? fallback).split(',').filter((s) => s.length > 0);
  }

  has(flag: string): boolean {
    return this.argv.includes(flag);
  }
}
