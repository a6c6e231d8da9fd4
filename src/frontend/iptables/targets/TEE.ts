// -j TEE --gateway ADDR [--oif NAME] (libxt_TEE.c, revision 1).

import { formatAddress } from '../../../ir/address.js';
import type { TeeTarget } from '../../../ir/targets/TEE.js';
import { parseHostArg } from '../addresses.js';
import type { TargetExtension } from '../extension.js';

/** IFNAMSIZ - 1: libxtables silently cuts a longer --oif to the size of xt_tee_tginfo.oif. */
const OIF_MAX = 15;

export const teeTarget: TargetExtension<TeeTarget> = {
  name: 'TEE',
  kinds: ['TEE'],
  options: [
    { name: 'gateway', arg: 'required' },
    { name: 'oif', arg: 'required' },
  ],
  build(uses, ctx, at) {
    const gw = uses.find((u) => u.name === 'gateway');
    if (!gw) ctx.error(at, 'TEE: option "--gateway" must be specified');
    const gateway = parseHostArg(gw!.value!, ctx, gw!.valueAt);
    const oifUse = uses.find((u) => u.name === 'oif');
    let oif: string | undefined;
    if (oifUse) {
      const bytes = Buffer.from(oifUse.value!, 'utf8');
      const cut = bytes.subarray(
        0,
        Math.min(bytes.length, OIF_MAX, bytes.indexOf(0) < 0 ? bytes.length : bytes.indexOf(0)),
      );
      oif = cut.length > 0 ? cut.toString('utf8') : undefined;
    }
    return { kind: 'TEE', gateway, ...(oif !== undefined ? { oif } : {}) };
  },
  // tee_tg_check, when the table is loaded.
  kernelCheck: (t) =>
    t.gateway.every((w) => w === 0) ? 'TEE: the gateway must not be the zero address' : undefined,
  save(t, family) {
    return `--gateway ${formatAddress(family, t.gateway)}${t.oif !== undefined ? ` --oif ${t.oif}` : ''}`;
  },
};
