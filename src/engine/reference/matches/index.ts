// Every match kind's evaluator; the MatchEvaluators type makes a missing kind a compile error.

import type { MatchEvaluators } from '../match-evaluator.js';
import { addrtypeEvaluator } from './addrtype.js';
import { ahEvaluator } from './ah.js';
import {
  destinationEvaluator,
  fragmentEvaluator,
  inInterfaceEvaluator,
  outInterfaceEvaluator,
  protocolEvaluator,
  sourceEvaluator,
} from './base.js';
import { commentEvaluator } from './comment.js';
import { connbytesEvaluator } from './connbytes.js';
import { connlimitEvaluator } from './connlimit.js';
import { connmarkEvaluator } from './connmark.js';
import { conntrackEvaluator } from './conntrack.js';
import { cpuEvaluator } from './cpu.js';
import { devgroupEvaluator } from './devgroup.js';
import { dscpEvaluator } from './dscp.js';
import { dstEvaluator } from './dst.js';
import { ecnEvaluator } from './ecn.js';
import { espEvaluator } from './esp.js';
import { fragEvaluator } from './frag.js';
import { hashlimitEvaluator } from './hashlimit.js';
import { hbhEvaluator } from './hbh.js';
import { helperEvaluator } from './helper.js';
import { hlEvaluator } from './hl.js';
import { icmpEvaluator } from './icmp.js';
import { icmp6Evaluator } from './icmp6.js';
import { iprangeEvaluator } from './iprange.js';
import { ipv6headerEvaluator } from './ipv6header.js';
import { lengthEvaluator } from './length.js';
import { limitEvaluator } from './limit.js';
import { macEvaluator } from './mac.js';
import { markEvaluator } from './mark.js';
import { multiportEvaluator } from './multiport.js';
import { nfacctEvaluator } from './nfacct.js';
import { ownerEvaluator } from './owner.js';
import { physdevEvaluator } from './physdev.js';
import { pkttypeEvaluator } from './pkttype.js';
import { policyEvaluator } from './policy.js';
import { quotaEvaluator } from './quota.js';
import { realmEvaluator } from './realm.js';
import { recentEvaluator } from './recent.js';
import { rpfilterEvaluator } from './rpfilter.js';
import { rtEvaluator } from './rt.js';
import { sctpEvaluator } from './sctp.js';
import { setEvaluator } from './set.js';
import { socketEvaluator } from './socket.js';
import { stateEvaluator } from './state.js';
import { statisticEvaluator } from './statistic.js';
import { stringEvaluator } from './string.js';
import { tcpEvaluator } from './tcp.js';
import { timeEvaluator } from './time.js';
import { tosEvaluator } from './tos.js';
import { ttlEvaluator } from './ttl.js';
import { udpEvaluator } from './udp.js';

export const MATCH_EVALUATORS: MatchEvaluators = {
  source: sourceEvaluator,
  destination: destinationEvaluator,
  'in-interface': inInterfaceEvaluator,
  'out-interface': outInterfaceEvaluator,
  protocol: protocolEvaluator,
  fragment: fragmentEvaluator,
  addrtype: addrtypeEvaluator,
  ah: ahEvaluator,
  comment: commentEvaluator,
  connbytes: connbytesEvaluator,
  connlimit: connlimitEvaluator,
  connmark: connmarkEvaluator,
  conntrack: conntrackEvaluator,
  cpu: cpuEvaluator,
  devgroup: devgroupEvaluator,
  dscp: dscpEvaluator,
  dst: dstEvaluator,
  ecn: ecnEvaluator,
  esp: espEvaluator,
  frag: fragEvaluator,
  hashlimit: hashlimitEvaluator,
  hbh: hbhEvaluator,
  helper: helperEvaluator,
  hl: hlEvaluator,
  icmp: icmpEvaluator,
  icmp6: icmp6Evaluator,
  iprange: iprangeEvaluator,
  ipv6header: ipv6headerEvaluator,
  length: lengthEvaluator,
  limit: limitEvaluator,
  mac: macEvaluator,
  mark: markEvaluator,
  multiport: multiportEvaluator,
  nfacct: nfacctEvaluator,
  owner: ownerEvaluator,
  physdev: physdevEvaluator,
  pkttype: pkttypeEvaluator,
  policy: policyEvaluator,
  quota: quotaEvaluator,
  realm: realmEvaluator,
  recent: recentEvaluator,
  rpfilter: rpfilterEvaluator,
  rt: rtEvaluator,
  sctp: sctpEvaluator,
  set: setEvaluator,
  socket: socketEvaluator,
  state: stateEvaluator,
  statistic: statisticEvaluator,
  string: stringEvaluator,
  tcp: tcpEvaluator,
  time: timeEvaluator,
  tos: tosEvaluator,
  ttl: ttlEvaluator,
  udp: udpEvaluator,
};
