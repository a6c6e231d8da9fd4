// Network namespaces the harness owns. Names carry the creating process id
// (nfw-<pid>-<random>[-suffix]) so a sweep removes only namespaces whose creator is gone and
// never those of a harness running concurrently.

import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { run, tryRun } from './sh.js';

const PREFIX = 'nfw-';

/** A fresh, unused base name for this process: nfw-<pid>-<hex>. */
export function newNamespaceBase(): string {
  return `${PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function addNamespace(name: string): void {
  run(['ip', 'netns', 'add', name]);
  run(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
}

/** Deletes a namespace; missing ones are fine (cleanup runs after partial failures). */
export function deleteNamespace(name: string): void {
  tryRun(['ip', 'netns', 'delete', name]);
}

function listNamespaces(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes nfw-* namespaces left behind by harness processes that no longer exist. */
export function sweepStaleNamespaces(): string[] {
  const removed: string[] = [];
  for (const name of listNamespaces()) {
    const m = /^nfw-(\d+)-/.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    deleteNamespace(name);
    removed.push(name);
  }
  return removed;
}

let usable: string | undefined;

function probe(): string {
  if (process.getuid?.() !== 0) return 'needs root';
  for (const tool of [
    'ip',
    'iptables-legacy-restore',
    'conntrack',
    '/usr/bin/python3',
    'tshark',
    'ethtool',
  ]) {
    if (tryRun(['sh', '-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  const name = `${newNamespaceBase()}-probe`;
  const r = tryRun(['ip', 'netns', 'add', name]);
  if (r.status !== 0) return `cannot create a network namespace: ${r.stderr.trim()}`;
  const v = tryRun(['ip', '-n', name, 'link', 'add', 'name', 'nfwa', 'type', 'veth', 'peer', 'name', 'nfwb']);
  deleteNamespace(name);
  if (v.status !== 0) return `cannot create veth pairs: ${v.stderr.trim()}`;
  return '';
}

/** Why namespaces cannot be used here, or '' when they can (checked once). */
export function netnsUnavailableReason(): string {
  usable ??= probe();
  return usable;
}
