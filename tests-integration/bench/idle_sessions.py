#!/usr/bin/env python3
"""Open many idle MariaDB client sessions and keep them open.

Used by bench.sh to measure a proxy's memory per idle session. Each session
does the MariaDB handshake over a raw socket with mysql_native_password
(token = SHA1(pw) XOR SHA1(seed + SHA1(SHA1(pw)))), optionally answers an
auth switch to mysql_native_password, and then sits idle.

Protocol with the caller:
  * progress goes to stderr;
  * once every session was tried (and pinged with --ping), one line
    "READY opened=N failed=M" is printed on stdout;
  * on SIGTERM/SIGINT (or after --hold seconds) the sessions are pinged
    again with --ping ("ALIVE alive=N dead=M" on stdout), each gets COM_QUIT
    and is closed, and the script exits 0 (1 when no session could be opened).

Only the standard library is used.
"""

import argparse
import concurrent.futures
import hashlib
import resource
import signal
import socket
import struct
import sys
import threading
import time

CLIENT_LONG_PASSWORD = 0x1
CLIENT_LONG_FLAG = 0x4
CLIENT_CONNECT_WITH_DB = 0x8
CLIENT_PROTOCOL_41 = 0x200
CLIENT_TRANSACTIONS = 0x2000
CLIENT_SECURE_CONNECTION = 0x8000
CLIENT_MULTI_STATEMENTS = 0x10000
CLIENT_MULTI_RESULTS = 0x20000
CLIENT_PLUGIN_AUTH = 0x80000

COM_QUIT = 0x01
COM_PING = 0x0E
UTF8MB4_GENERAL_CI = 45
NATIVE = b"mysql_native_password"


class ProtocolError(Exception):
    pass


def native_token(password: bytes, seed: bytes) -> bytes:
    if not password:
        return b""
    s1 = hashlib.sha1(password).digest()
    s2 = hashlib.sha1(s1).digest()
    s3 = hashlib.sha1(seed + s2).digest()
    return bytes(a ^ b for a, b in zip(s1, s3))


def recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ProtocolError("connection closed by peer")
        buf += chunk
    return bytes(buf)


def read_packet(sock: socket.socket):
    header = recv_exact(sock, 4)
    length = header[0] | (header[1] << 8) | (header[2] << 16)
    return header[3], recv_exact(sock, length)


def write_packet(sock: socket.socket, seq: int, payload: bytes) -> None:
    n = len(payload)
    sock.sendall(bytes((n & 0xFF, (n >> 8) & 0xFF, (n >> 16) & 0xFF, seq & 0xFF)) + payload)


def error_text(payload: bytes) -> str:
    code = struct.unpack_from("<H", payload, 1)[0] if len(payload) >= 3 else 0
    msg = payload[3:]
    if msg[:1] == b"#":
        msg = msg[6:]
    return "ERR %d: %s" % (code, msg.decode("utf-8", "replace"))


def parse_handshake(p: bytes):
    if p[:1] == b"\xff":
        raise ProtocolError(error_text(p))
    if p[0] != 10:
        raise ProtocolError("unsupported protocol version %d" % p[0])
    i = p.index(b"\0", 1) + 1  # server version
    i += 4  # connection id
    seed = p[i:i + 8]
    i += 9  # seed part 1 + filler
    caps = struct.unpack_from("<H", p, i)[0]
    i += 2
    plugin = NATIVE
    if len(p) > i:
        i += 1 + 2  # charset, status
        caps |= struct.unpack_from("<H", p, i)[0] << 16
        i += 2
        auth_len = p[i]
        i += 1 + 10  # auth data length, reserved (MariaDB: 6 + 4 ext caps)
        if caps & CLIENT_SECURE_CONNECTION:
            n = max(13, auth_len - 8)
            seed += p[i:i + n].rstrip(b"\0")[:12]
            i += n
        if caps & CLIENT_PLUGIN_AUTH and i < len(p):
            end = p.find(b"\0", i)
            plugin = p[i:end if end >= 0 else len(p)]
    return caps, seed[:20], plugin


def open_session(args, password: bytes) -> socket.socket:
    sock = socket.create_connection((args.host, args.port), timeout=args.timeout)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        seq, payload = read_packet(sock)
        server_caps, seed, _plugin = parse_handshake(payload)
        if not server_caps & CLIENT_PROTOCOL_41:
            raise ProtocolError("server does not speak protocol 4.1")
        flags = (CLIENT_LONG_PASSWORD | CLIENT_LONG_FLAG | CLIENT_PROTOCOL_41
                 | CLIENT_TRANSACTIONS | CLIENT_SECURE_CONNECTION
                 | CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS | CLIENT_PLUGIN_AUTH)
        if args.db:
            flags |= CLIENT_CONNECT_WITH_DB
        flags &= server_caps | CLIENT_CONNECT_WITH_DB
        token = native_token(password, seed)
        resp = struct.pack("<IIB", flags, 16 * 1024 * 1024, UTF8MB4_GENERAL_CI) + b"\0" * 23
        resp += args.user.encode() + b"\0" + bytes((len(token),)) + token
        if flags & CLIENT_CONNECT_WITH_DB:
            resp += args.db.encode() + b"\0"
        if flags & CLIENT_PLUGIN_AUTH:
            resp += NATIVE + b"\0"
        seq = (seq + 1) & 0xFF
        write_packet(sock, seq, resp)
        while True:
            seq, payload = read_packet(sock)
            kind = payload[:1]
            if kind == b"\x00":
                break
            if kind == b"\xff":
                raise ProtocolError(error_text(payload))
            if kind == b"\xfe":  # auth switch request
                end = payload.find(b"\0", 1)
                plugin = payload[1:end]
                if plugin != NATIVE:
                    raise ProtocolError("server wants unsupported auth plugin %r" % plugin.decode())
                new_seed = payload[end + 1:].rstrip(b"\0")[:20]
                seq = (seq + 1) & 0xFF
                write_packet(sock, seq, native_token(password, new_seed))
                continue
            raise ProtocolError("unexpected auth reply 0x%02x" % payload[0])
        return sock
    except BaseException:
        sock.close()
        raise


def ping(sock: socket.socket, timeout: float) -> bool:
    try:
        sock.settimeout(timeout)
        write_packet(sock, 0, bytes((COM_PING,)))
        _seq, payload = read_packet(sock)
        return payload[:1] == b"\x00"
    except (OSError, ProtocolError):
        return False


def ping_all(socks, args):
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
        results = list(pool.map(lambda s: ping(s, args.timeout), socks))
    return sum(results), len(results) - sum(results)


def raise_nofile(want: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        print("idle_sessions: warning: open files limit %d < %d needed" % (soft, want), file=sys.stderr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", default="app")
    ap.add_argument("--password", default="app_pw")
    ap.add_argument("--db", default="")
    ap.add_argument("--sessions", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=32,
                    help="handshakes in flight at once (default 32)")
    ap.add_argument("--timeout", type=float, default=30.0, help="per-operation timeout, s")
    ap.add_argument("--ping", action="store_true", help="COM_PING every session once all are open, and again at the end")
    ap.add_argument("--hold", type=float, default=0.0,
                    help="seconds to keep the sessions open (default: until SIGTERM/SIGINT)")
    args = ap.parse_args()

    raise_nofile(args.sessions + 100)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    password = args.password.encode()
    socks, errors = [], {}
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
        futures = [pool.submit(open_session, args, password) for _ in range(args.sessions)]
        for n, fut in enumerate(concurrent.futures.as_completed(futures), 1):
            try:
                socks.append(fut.result())
            except (OSError, ProtocolError) as e:
                key = str(e)
                errors[key] = errors.get(key, 0) + 1
            if n % 1000 == 0:
                print("idle_sessions: %d/%d tried, %d open" % (n, args.sessions, len(socks)), file=sys.stderr)
    elapsed = time.monotonic() - t0
    failed = args.sessions - len(socks)
    print("idle_sessions: opened %d of %d sessions in %.1fs" % (len(socks), args.sessions, elapsed), file=sys.stderr)
    for msg, count in sorted(errors.items(), key=lambda kv: -kv[1])[:5]:
        print("idle_sessions: %d x %s" % (count, msg), file=sys.stderr)
    if args.ping and socks:
        alive, dead = ping_all(socks, args)
        print("idle_sessions: ping after open: %d ok, %d failed" % (alive, dead), file=sys.stderr)
    print("READY opened=%d failed=%d" % (len(socks), failed), flush=True)

    if args.hold > 0:
        stop.wait(args.hold)
    else:
        while not stop.is_set():
            stop.wait(1.0)

    if args.ping and socks:
        alive, dead = ping_all(socks, args)
        print("ALIVE alive=%d dead=%d" % (alive, dead), flush=True)
    for s in socks:
        try:
            s.settimeout(1.0)
            write_packet(s, 0, bytes((COM_QUIT,)))
        except OSError:
            pass
        s.close()
    print("idle_sessions: closed %d sessions" % len(socks), file=sys.stderr)
    return 0 if socks else 1


if __name__ == "__main__":
    sys.exit(main())
