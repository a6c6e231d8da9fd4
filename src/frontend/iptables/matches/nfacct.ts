// -m nfacct (libxt_nfacct): --nfacct-name NAME.

import type { NfacctMatch } from '../../../ir/matches/nfacct.js';
import { type MatchExtension, single } from '../extension.js';
import { saveString } from '../printer.js';

const NAME_SIZE = 32; // NFACCT_NAME_MAX, including the terminating NUL

export const nfacctMatch: MatchExtension<NfacctMatch> = {
  name: 'nfacct',
  kinds: ['nfacct'],
  options: [{ name: 'nfacct-name', arg: 'required' }],
  build(uses, ctx, at) {
    const u = single(uses, 'nfacct-name');
    if (!u) ctx.error(at, 'nfacct: option "--nfacct-name" must be specified');
    const text = u!.value!;
    if (text.length === 0)
      ctx.error(u!.valueAt, 'nfacct: the --nfacct-name argument must have a minimum length of 1 characters');
    if (text.includes('\n')) ctx.error(u!.valueAt, 'Newlines not allowed in --nfacct-name');
    const buf = Buffer.from(text, 'utf8');
    const name = buf.length < NAME_SIZE ? text : buf.subarray(0, NAME_SIZE - 1).toString('utf8');
    return { kind: 'nfacct', name };
  },
  save: (m) => `--nfacct-name ${saveString(m.name)}`,
  kernelCheck: (m) =>
    `nfacct: the accounting object "${m.name}" does not exist (the kernel only accepts the rule when it was created beforehand with \`nfacct add ${m.name}'; a ruleset file cannot create it)`,
};
