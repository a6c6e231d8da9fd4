// Running the tools the harness drives (ip, iptables, conntrack, ethtool, python) and failing
// loudly with the command and its stderr, so a broken scenario says which step broke.

import { spawn, spawnSync } from 'node:child_process';

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly result: RunResult,
  ) {
    super(`command failed (exit ${result.status}): ${argv.join(' ')}\n${result.stderr.trim()}`);
  }
}

/** Runs argv without a shell; `input` is fed to stdin. Never throws. */
export function tryRun(argv: readonly string[], input?: string): RunResult {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd!, args, { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) return { status: -1, stdout: '', stderr: String(r.error.message) };
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs argv and returns stdout; throws CommandError on a non-zero exit. */
export function run(argv: readonly string[], input?: string): string {
  const r = tryRun(argv, input);
  if (r.status !== 0) throw new CommandError(argv, r);
  return r.stdout;
}

/** argv prefixed to run inside network namespace `ns`. */
export function inNs(ns: string, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', ns, ...argv];
}

/** Like run, without blocking the event loop: scenarios can overlap their slow steps. */
export function runAsync(argv: readonly string[], input?: string): Promise<string> {
  const [cmd, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => reject(e));
    child.on('close', (status) => {
      const result = {
        status: status ?? -1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      };
      if (status === 0) resolve(result.stdout);
      else reject(new CommandError(argv, result));
    });
    child.stdin.end(input ?? '');
  });
}
