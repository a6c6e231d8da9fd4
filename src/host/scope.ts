// Route and address scopes (RT_SCOPE_*): iproute2 prints the names of /etc/iproute2/rt_scopes
// and plain numbers for the rest. The kernel compares them numerically (wider scope = smaller).

export const SCOPE = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 } as const;

export type ScopeName = keyof typeof SCOPE;

/** The numeric scope of iproute2's text ("universe" is the kernel's name for "global"). */
export function parseScope(text: string): number | undefined {
  if (text === 'universe') return 0;
  if (Object.hasOwn(SCOPE, text)) return SCOPE[text as ScopeName];
  return /^\d{1,3}$/.test(text) && Number(text) <= 255 ? Number(text) : undefined;
}
