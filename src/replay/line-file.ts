// A file written line by line through a buffer: one write call per ~64 KiB, not per line.

import { closeSync, openSync, writeSync } from 'node:fs';

const FLUSH_AT = 1 << 16;

export class LineFile {
  private readonly fd: number;
  private pending: string[] = [];
  private size = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  writeLine(line: string): void {
    this.pending.push(line);
    this.size += line.length + 1;
    if (this.size >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, `${this.pending.join('\n')}\n`);
    this.pending = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
