// Placeholders for modules not written yet: they are known by name (so the error says so
// plainly) but refuse every rule that uses them.

import type { MatchExtension, TargetExtension } from './extension.js';

export function notImplemented(name: string): MatchExtension {
  return {
    name,
    kinds: [],
    options: [],
    build: (_uses, ctx, at) => ctx.error(at, `nfwasm does not support the ${name} match yet`),
    save: () => '',
  };
}

export function notImplementedTarget(name: string): TargetExtension {
  return {
    name,
    kinds: [],
    options: [],
    build: (_uses, ctx, at) => ctx.error(at, `nfwasm does not support the ${name} target yet`),
    save: () => '',
  };
}
