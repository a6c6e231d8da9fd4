// All match modules, in no particular order (the registry looks them up by name).

import type { MatchExtension } from '../extension.js';
import { addrtypeMatch } from './addrtype.js';
import { ahMatch } from './ah.js';
import { commentMatch } from './comment.js';
import { connbytesMatch } from './connbytes.js';
import { connlimitMatch } from './connlimit.js';
import { connmarkMatch } from './connmark.js';
import { conntrackMatch } from './conntrack.js';
import { cpuMatch } from './cpu.js';
import { devgroupMatch } from './devgroup.js';
import { dscpMatch } from './dscp.js';
import { dstMatch } from './dst.js';
import { ecnMatch } from './ecn.js';
import { espMatch } from './esp.js';
import { fragMatch } from './frag.js';
import { hashlimitMatch } from './hashlimit.js';
import { hbhMatch } from './hbh.js';
import { helperMatch } from './helper.js';
import { hlMatch } from './hl.js';
import { icmpMatch } from './icmp.js';
import { icmp6Match } from './icmp6.js';
import { iprangeMatch } from './iprange.js';
import { ipv6headerMatch } from './ipv6header.js';
import { lengthMatch } from './length.js';
import { limitMatch } from './limit.js';
import { macMatch } from './mac.js';
import { markMatch } from './mark.js';
import { multiportMatch } from './multiport.js';
import { nfacctMatch } from './nfacct.js';
import { ownerMatch } from './owner.js';
import { physdevMatch } from './physdev.js';
import { pkttypeMatch } from './pkttype.js';
import { policyMatch } from './policy.js';
import { quotaMatch } from './quota.js';
import { realmMatch } from './realm.js';
import { recentMatch } from './recent.js';
import { rpfilterMatch } from './rpfilter.js';
import { rtMatch } from './rt.js';
import { sctpMatch } from './sctp.js';
import { setMatch } from './set.js';
import { socketMatch } from './socket.js';
import { stateMatch } from './state.js';
import { statisticMatch } from './statistic.js';
import { stringMatch } from './string.js';
import { tcpMatch } from './tcp.js';
import { timeMatch } from './time.js';
import { tosMatch } from './tos.js';
import { ttlMatch } from './ttl.js';
import { u32Match } from './u32.js';
import { udpMatch } from './udp.js';

// biome-ignore lint/suspicious/noExplicitAny: each module is typed by its own IR kind
export const MATCHES: readonly MatchExtension<any>[] = [
  addrtypeMatch,
  ahMatch,
  commentMatch,
  connbytesMatch,
  connlimitMatch,
  connmarkMatch,
  conntrackMatch,
  cpuMatch,
  devgroupMatch,
  dscpMatch,
  dstMatch,
  ecnMatch,
  espMatch,
  fragMatch,
  hashlimitMatch,
  hbhMatch,
  helperMatch,
  hlMatch,
  icmpMatch,
  icmp6Match,
  iprangeMatch,
  ipv6headerMatch,
  lengthMatch,
  limitMatch,
  macMatch,
  markMatch,
  multiportMatch,
  nfacctMatch,
  ownerMatch,
  physdevMatch,
  pkttypeMatch,
  policyMatch,
  quotaMatch,
  realmMatch,
  recentMatch,
  rpfilterMatch,
  rtMatch,
  sctpMatch,
  setMatch,
  socketMatch,
  stateMatch,
  statisticMatch,
  stringMatch,
  tcpMatch,
  timeMatch,
  tosMatch,
  ttlMatch,
  u32Match,
  udpMatch,
];
