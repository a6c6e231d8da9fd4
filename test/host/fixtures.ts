// The host fixtures: host files dumped from real namespaces by test/kernel/host-oracle.ts, and
// the kernel's `ip route get` answers recorded alongside.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Host, parseHostFile } from '../../src/host/index.js';
import type { KernelRoute, RouteGetQuery } from '../kernel/host-oracle.js';

export const HOST_FIXTURES = join(import.meta.dirname, '../fixtures/hosts');

export function fixtureText(name: string): string {
  return readFileSync(join(HOST_FIXTURES, `${name}.json`), 'utf8');
}

export function loadFixture(name: string): Host {
  return parseHostFile(fixtureText(name), { file: `${name}.json` });
}

/** The recorded `ip route get` answers: IPv4 (`route-get`) or IPv6 (`route-get6`). */
export function recordedLookups(
  name: string,
  kind: 'route-get' | 'route-get6' = 'route-get',
): { query: RouteGetQuery; kernel: KernelRoute }[] {
  return JSON.parse(readFileSync(join(HOST_FIXTURES, `${name}.${kind}.json`), 'utf8')) as {
    query: RouteGetQuery;
    kernel: KernelRoute;
  }[];
}
