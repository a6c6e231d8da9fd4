"""Builds trace frames with scapy from compact JSON descriptions and writes them as pcapng with
interface names. Fixture-generation glue (see trace-writer.ts).

stdin: {"path": "...", "packets": [{"if", "t", "srcMac", "dstMac", "src", "dst", "proto",
        "sport"?, "dport"?, "flags"?, "seq"?, "ack"?, "icmpType"?, "icmpCode"?, "payload"?, "ttl"?, "id"?, "icmpSeq"?,
        "l4Checksum"?, "ipId"?, "fragOffset"?, "moreFragments"?, "dontFragment"?, "payloadHex"?, "quote"?}]}
"payloadHex" is the payload as hex bytes (used instead of "payload").
"quote" (ICMP errors): the offending datagram, described the same way without MACs; the error
carries its IP header and the first "quoteBytes" (default: all) bytes after it.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapng_write import write_pcapng  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Ether, IPv6, Raw  # noqa: E402


def payload_bytes(p):
    if "payloadHex" in p:
        return bytes.fromhex(p["payloadHex"])
    return p.get("payload", "").encode()


def datagram(p):
    l3 = (IPv6 if ":" in p["src"] else IP)(src=p["src"], dst=p["dst"])
    if isinstance(l3, IP):
        if "ipId" in p:
            l3.id = p["ipId"]
        if "fragOffset" in p:
            l3.frag = p["fragOffset"]
        flags = (["MF"] if p.get("moreFragments") else []) + (["DF"] if p.get("dontFragment") else [])
        if flags:
            l3.flags = "+".join(flags)
    if "ttl" in p:
        if isinstance(l3, IP):
            l3.ttl = p["ttl"]
        else:
            l3.hlim = p["ttl"]
    if isinstance(p["proto"], int):
        l3.proto = p["proto"]
        return l3 / Raw(payload_bytes(p))
    if p["proto"] == "tcp":
        l4 = TCP(sport=p["sport"], dport=p["dport"], flags=p.get("flags", "S"), seq=p.get("seq", 0),
                 ack=p.get("ack", 0), window=64240)
    elif p["proto"] == "udp":
        l4 = UDP(sport=p["sport"], dport=p["dport"])
    else:
        l4 = ICMP(type=p.get("icmpType", 8), code=p.get("icmpCode", 0), id=p.get("id", 1), seq=p.get("icmpSeq", 1))
    if "l4Checksum" in p:
        l4.chksum = p["l4Checksum"]
    if "quote" in p:
        # An ICMP error: the offending datagram's IP header and the first quoteBytes after it.
        inner = bytes(datagram(p["quote"]))
        n = p["quote"].get("quoteBytes")
        inner = inner if n is None else inner[: (inner[0] & 15) * 4 + n]
        return l3 / ICMP(type=p.get("icmpType", 3), code=p.get("icmpCode", 0)) / Raw(inner)
    pkt = l3 / l4
    if "payload" in p or "payloadHex" in p:
        pkt = pkt / Raw(payload_bytes(p))
    return pkt


def frame(p):
    return bytes(Ether(src=p["srcMac"], dst=p["dstMac"]) / datagram(p))


req = json.load(sys.stdin)
base = 1700000000.0
write_pcapng(req["path"], [(p["if"], base + p["t"], frame(p)) for p in req["packets"]])
