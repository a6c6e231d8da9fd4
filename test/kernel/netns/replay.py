"""Injects a trace's frames into the peer namespaces and captures what the host sends back.

One process, no scapy: a raw AF_PACKET socket per peer end, each opened inside its peer's
network namespace (setns), so sending in timestamp order across interfaces is one loop and
capturing needs no readiness handshake (sockets exist before the first frame is sent).

stdin:  {"peers": [{"key", "ns", "dev"}], "hostNs", "packets": [{"peer", "at", "hex"}], "settle": seconds}
        "at" is seconds after the start at which to send (the caller applies or drops gaps).
        A packet whose peer is "@local" is the host's own: its hex is an IPv4 datagram, sent by a
        raw socket (IPPROTO_RAW, header included) opened in the host namespace, so the kernel
        routes it and runs it through OUTPUT and POSTROUTING as locally generated.
stdout: {"sent": [{"at"}], "captured": [{"peer", "at", "hex"}]}; "at" is seconds after the
        start by the kernel's receive timestamp (SO_TIMESTAMPNS), captured sorted by it.
Frames the socket itself sent (PACKET_OUTGOING) are not captured.
"""
import ctypes
import json
import os
import select
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SO_TIMESTAMPNS = 35
LOCAL = "@local"

libc = ctypes.CDLL("libc.so.6", use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns {path}: {os.strerror(err)}")
    finally:
        os.close(fd)


def open_peer(ns, dev):
    setns(f"/run/netns/{ns}")
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind((dev, 0))
    s.setblocking(False)
    return s


def main():
    req = json.load(sys.stdin)
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    socks = {}
    for p in req["peers"]:
        socks[p["key"]] = open_peer(p["ns"], p["dev"])
    local = None
    if any(p["peer"] == LOCAL for p in req["packets"]):
        setns(f"/run/netns/{req['hostNs']}")
        local = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    libc.setns(home, CLONE_NEWNET)
    by_fd = {s.fileno(): k for k, s in socks.items()}
    captured = []

    def drain(timeout):
        ready, _, _ = select.select(list(socks.values()), [], [], max(timeout, 0))
        for s in ready:
            while True:
                try:
                    data, anc, _, addr = s.recvmsg(65536, 64)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                ts = time.time()
                for level, kind, value in anc:
                    if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                        sec, nsec = struct.unpack("qq", value[:16])
                        ts = sec + nsec / 1e9
                captured.append((ts, by_fd[s.fileno()], data.hex()))

    start = time.time()
    sent = []
    for p in req["packets"]:
        target = start + p["at"]
        while time.time() < target:
            drain(target - time.time())
        sent.append({"at": time.time() - start})
        data = bytes.fromhex(p["hex"])
        if p["peer"] == LOCAL:
            try:
                local.sendto(data, (socket.inet_ntoa(data[16:20]), 0))
            except OSError as e:
                sys.stderr.write(f"local packet not sent: {e}\n")
        else:
            socks[p["peer"]].send(data)
        drain(0)
    end = time.time() + req["settle"]
    while time.time() < end:
        drain(end - time.time())
    captured.sort(key=lambda c: c[0])
    out = {
        "sent": sent,
        "captured": [{"peer": k, "at": ts - start, "hex": h} for ts, k, h in captured],
    }
    json.dump(out, sys.stdout)


main()
