"""Minimal pcapng writer with one interface block per if_name (scapy 2.5 cannot name
interfaces). Stop-gap until the project's own trace writer (src/trace/) exists."""
import struct


def _opt(code, value):
    pad = (-len(value)) % 4
    return struct.pack("<HH", code, len(value)) + value + b"\0" * pad


def _block(btype, body):
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def write_pcapng(path, packets):
    """packets: iterable of (if_name, timestamp_seconds_float, frame_bytes)."""
    ifaces = {}
    out = [_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))]
    for if_name, ts, data in packets:
        if if_name not in ifaces:
            ifaces[if_name] = len(ifaces)
            opts = _opt(2, if_name.encode()) + _opt(9, bytes([9])) + _opt(0, b"")
            out.append(_block(1, struct.pack("<HHI", 1, 0, 262144) + opts))
        t = round(ts * 1_000_000_000)
        pad = (-len(data)) % 4
        body = struct.pack("<IIIII", ifaces[if_name], t >> 32, t & 0xFFFFFFFF, len(data), len(data))
        out.append(_block(6, body + data + b"\0" * pad))
    with open(path, "wb") as f:
        f.write(b"".join(out))
