// One entry point for "a ruleset a user has": an iptables-save dump or a script of iptables
// commands, IPv4 or IPv6, told apart the way a person would (file name, then content) unless the
// caller says.

import type { Family } from '../ir/address.js';
import type { Ruleset } from '../ir/ruleset.js';
import { detectFamily } from './iptables/family.js';
import { parseIptablesSave } from './iptables/restore-parser.js';
import { looksLikeIptablesScript, parseIptablesScript } from './iptables/script.js';

export type RulesetFormat = 'iptables-save' | 'iptables-script';

export interface LoadOptions {
  /** Name used in errors and kept on every rule (a path, or e.g. '<stdin>'). */
  readonly file: string;
  /** Forces the family; otherwise guessed from the name and content. */
  readonly family?: Family;
  /** Forces the format; otherwise a `.sh` name or an `iptables ...` first command means a script. */
  readonly format?: RulesetFormat;
}

export interface LoadedRuleset {
  readonly ruleset: Ruleset;
  readonly format: RulesetFormat;
}

export function loadRuleset(text: string, options: LoadOptions): LoadedRuleset {
  const { file } = options;
  const format =
    options.format ?? (looksLikeIptablesScript(file, text) ? 'iptables-script' : 'iptables-save');
  if (format === 'iptables-script') {
    return { format, ruleset: parseIptablesScript(text, { file, family: options.family }) };
  }
  const family = options.family ?? detectFamily(file, text);
  return { format, ruleset: parseIptablesSave(text, { file, family }) };
}
