"""The host's local sockets for a scenario, run inside the host namespace: listeners accept
(TCP) or receive (UDP) and never send data, so the kernel's own answers (SYN-ACK, ...) are all
that leaves; proxies accept like docker-proxy and connect to the container, piping bytes.

argv[1]: {"listeners": [{"proto", "port", "addr"?}], "proxies": [{"proto", "hostIp"?, "hostPort",
"containerIp", "containerPort"}]}. Prints "ready" once every socket is bound; runs until killed.
"""
import json
import select
import socket
import sys


def bind(proto, addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    if proto == "tcp":
        s.listen(128)
    s.setblocking(False)
    return s


def main():
    spec = json.loads(sys.argv[1])
    roles = {}  # socket -> ("listen" | "udp" | "proxy-listen" | "sink", extra)
    for l in spec.get("listeners", []):
        s = bind(l["proto"], l.get("addr", "0.0.0.0"), l["port"])
        roles[s] = ("listen" if l["proto"] == "tcp" else "udp", None)
    for p in spec.get("proxies", []):
        s = bind("tcp", p.get("hostIp", "0.0.0.0"), p["hostPort"])
        roles[s] = ("proxy-listen", (p["containerIp"], p["containerPort"]))
    print("ready", flush=True)
    pipes = {}  # socket -> socket it forwards to
    while True:
        ready, _, _ = select.select(list(roles), [], [])
        for s in ready:
            role, extra = roles[s]
            if role in ("listen", "proxy-listen"):
                try:
                    conn, _ = s.accept()
                except BlockingIOError:
                    continue
                roles[conn] = ("sink", None)
                if role == "proxy-listen":
                    up = socket.socket(socket.AF_INET6 if ":" in extra[0] else socket.AF_INET)
                    up.setblocking(False)
                    up.connect_ex(extra)
                    roles[up] = ("sink", None)
                    pipes[conn], pipes[up] = up, conn
            elif role == "udp":
                s.recvfrom(65536)
            else:
                try:
                    data = s.recv(65536)
                except (BlockingIOError, ConnectionError, OSError):
                    data = b""
                if not data:
                    roles.pop(s, None)
                    s.close()
                    continue
                if s in pipes:
                    try:
                        pipes[s].send(data)
                    except OSError:
                        pass


main()
