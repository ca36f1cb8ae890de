#!/usr/bin/env python3
"""A PXE client's DHCP exchanges, for tests no Debian client can do.

  pxeclient.py discover IFACE MAC [--arch N] [--vendor S] [--wait SECS]
      broadcast a PXE DHCPDISCOVER from port 68 and print every reply
  pxeclient.py request4011 IFACE MAC SERVER [--arch N]
      send a PXE boot-server DHCPREQUEST to SERVER:4011, print the reply

Each reply is printed as one JSON object per line: the server, yiaddr,
siaddr, file, the message type, the options rackboot tests look at, and
"ms", how long after the request it came.
Standard library only.
"""
import argparse
import json
import os
import socket
import struct
import time

SO_BINDTODEVICE = 25


def build(mac, msg_type, arch, vendor, xid):
    hdr = struct.pack("!BBBBIHHIIII16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000,
                      0, 0, 0, 0, bytes.fromhex(mac.replace(":", "")),
                      b"", b"")
    opts = bytes([53, 1, msg_type])
    opts += bytes([60, len(vendor)]) + vendor.encode()
    opts += bytes([93, 2]) + struct.pack("!H", arch)
    opts += bytes([94, 3, 1, 2, 1])
    opts += bytes([97, 17, 0]) + bytes(range(16))
    opts += bytes([255])
    msg = hdr + struct.pack("!I", 0x63825363) + opts
    return msg + bytes(max(0, 300 - len(msg)))


def parse(data, src):
    if len(data) < 240 or data[236:240] != b"\x63\x82\x53\x63":
        return None
    xid, yi, si = struct.unpack("!I", data[4:8])[0], data[16:20], data[20:24]
    out = {"server": src[0], "port": src[1], "xid": xid,
           "yiaddr": socket.inet_ntoa(yi), "siaddr": socket.inet_ntoa(si),
           "file": data[108:236].split(b"\0")[0].decode(errors="replace")}
    i = 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        code, n = data[i], data[i + 1]
        val = data[i + 2:i + 2 + n]
        if code == 53:
            out["type"] = val[0]
        elif code in (60, 66, 67):
            out["opt%d" % code] = val.decode(errors="replace")
        elif code in (43, 97, 175, 54):
            out["opt%d" % code] = val.hex()
        i += 2 + n
    return out


def sock(iface, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, iface.encode())
    s.bind(("", port))
    return s


def collect(s, xid, wait, sent):
    end = time.time() + wait
    while True:
        left = end - time.time()
        if left <= 0:
            return
        s.settimeout(left)
        try:
            data, src = s.recvfrom(2048)
        except socket.timeout:
            return
        r = parse(data, src)
        if r and r["xid"] == xid:
            r["ms"] = int((time.time() - sent) * 1000)
            print(json.dumps(r), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["discover", "request4011"])
    ap.add_argument("iface")
    ap.add_argument("mac")
    ap.add_argument("server", nargs="?")
    ap.add_argument("--arch", type=int, default=0)
    ap.add_argument("--vendor", default=None)
    ap.add_argument("--wait", type=float, default=3.0)
    a = ap.parse_args()
    vendor = a.vendor or "PXEClient:Arch:%05d:UNDI:002001" % a.arch
    xid = int.from_bytes(os.urandom(4), "big")
    s = sock(a.iface, 68)
    sent = time.time()
    if a.mode == "discover":
        s.sendto(build(a.mac, 1, a.arch, vendor, xid),
                 ("255.255.255.255", 67))
    else:
        s.sendto(build(a.mac, 3, a.arch, vendor, xid), (a.server, 4011))
    collect(s, xid, a.wait, sent)


if __name__ == "__main__":
    main()
