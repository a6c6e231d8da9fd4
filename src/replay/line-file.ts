// A file written line by line through a buffer: one write call per ~64 KiB, not per line.

import { closeSync, openSync, writeSync } from 'node:fs';

const FLUSH_AT = 1 << 16;

export class LineFile {
  private pending: string[] = [];
  private size = 0;
  private readonly write: (text: string) => void;
  private readonly end: () => void;

  /** Lines go to the file `target`, or to a function (e.g. standard output's write). */
  constructor(target: string | ((text: string) => void)) {
    if (typeof target === 'string') {
      const fd = openSync(target, 'w');
      this.write = (text) => writeSync(fd, text);
      this.end = () => closeSync(fd);
    } else {
      this.write = target;
      this.end = () => {};
    }
  }

  writeLine(line: string): void {
    this.pending.push(line);
    this.size += line.length + 1;
    if (this.size >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    this.write(`${this.pending.join('\n')}\n`);
    this.pending = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    this.end();
  }
}
