#!/usr/bin/env python3
"""HTTP clients curl cannot be: raw requests, pipelining, many idle
connections at once, and a slowloris.  Used by tests/e2e/http.sh.

  httpclient.py raw HOST PORT          request bytes from stdin (\\n -> CRLF
                                       unless --binary); prints the reply
  httpclient.py pipeline HOST PORT PATH...   all requests in one write;
                                       prints each status and body sha256
  httpclient.py many HOST PORT PATH N SHA256 DIR
                                       open N connections, touch DIR/open,
                                       wait for DIR/go, then GET PATH on each
                                       and check every body; prints a summary
  httpclient.py slow HOST PORT         send a request head one byte every
                                       0.5 s; prints how long until the
                                       server cut it off
"""
import asyncio
import hashlib
import os
import resource
import socket
import sys
import time


def read_response(sock_file):
    """One response from a file-like socket: (status, headers, body)."""
    line = sock_file.readline()
    if not line:
        return None
    status = int(line.split()[1])
    headers = {}
    while True:
        h = sock_file.readline().rstrip(b"\r\n")
        if not h:
            break
        k, v = h.split(b":", 1)
        headers[k.strip().lower().decode()] = v.strip().decode()
    n = int(headers.get("content-length", "0"))
    body = sock_file.read(n) if n else b""
    return status, headers, body


def raw(host, port):
    data = sys.stdin.buffer.read()
    if "--binary" not in sys.argv:
        data = data.replace(b"\n", b"\r\n")
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(data)
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except socket.timeout:
        pass
    sys.stdout.write(out.decode(errors="replace"))


def pipeline(host, port, paths):
    s = socket.create_connection((host, port), timeout=10)
    req = b"".join(b"GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (p.encode(), host.encode())
                   for p in paths)
    s.sendall(req)
    f = s.makefile("rb")
    for _ in paths:
        r = read_response(f)
        if r is None:
            print("closed")
            return
        print(r[0], hashlib.sha256(r[2]).hexdigest())


async def many(host, port, path, n, want, d):
    resource.setrlimit(resource.RLIMIT_NOFILE, (n + 100, n + 100))
    conns = []
    for _ in range(n):
        conns.append(await asyncio.wait_for(asyncio.open_connection(host, port), 10))
    open(os.path.join(d, "open"), "w").close()
    for _ in range(600):
        if os.path.exists(os.path.join(d, "go")):
            break
        await asyncio.sleep(0.05)

    async def one(r, w):
        w.write(b"GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                % (path.encode(), host.encode()))
        await w.drain()
        data = await asyncio.wait_for(r.read(), 60)
        w.close()
        head, _, body = data.partition(b"\r\n\r\n")
        return head.startswith(b"HTTP/1.1 200") and hashlib.sha256(body).hexdigest() == want

    results = await asyncio.gather(*(one(r, w) for r, w in conns), return_exceptions=True)
    good = sum(1 for x in results if x is True)
    print(f"{good}/{n} ok")


def slow(host, port):
    s = socket.create_connection((host, port), timeout=30)
    head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
    t0 = time.monotonic()
    try:
        for b in head:
            s.send(bytes([b]))
            s.settimeout(0.5)
            try:
                if s.recv(1) == b"":
                    break
            except socket.timeout:
                pass
            if time.monotonic() - t0 > 60:
                print("never cut")
                return
    except OSError:
        pass
    print(f"cut after {time.monotonic() - t0:.1f} s")


def main():
    cmd, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if cmd == "raw":
        raw(host, port)
    elif cmd == "pipeline":
        pipeline(host, port, sys.argv[4:])
    elif cmd == "many":
        asyncio.run(many(host, port, sys.argv[4], int(sys.argv[5]), sys.argv[6], sys.argv[7]))
    elif cmd == "slow":
        slow(host, port)


if __name__ == "__main__":
    main()
