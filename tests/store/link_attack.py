#!/usr/bin/env python3
"""What a stranger, and a peer with a valid certificate, send to a replica's link port.

    link_attack.py strangers HOST PORT           # unauthenticated byte sequences
    link_attack.py idle HOST PORT COUNT HOLD_S   # COUNT silent connections from 127.0.0.x
    link_attack.py insider HOST PORT PKI NAME    # mutual TLS as NAME, then bad frames
    link_attack.py cert HOST PORT CA CERT KEY HELLO  # TLS with CERT (- for none), hello:
                                                 # "open" if the link survives 1 s

Each prints one line per attempt and what the replica did to the connection ("closed" or
"open"); it never decides pass or fail: the shell test reads the replica's RSS, counters and
logs. Every socket operation has a timeout.
"""
import socket
import ssl
import struct
import sys
import time

BASP_CLAIM = struct.pack(">BBBBIQQQ", 0, 0, 0, 0, 0xFFFFFFFF, 2**64 - 1, 2**64 - 1, 2**64 - 1)


def frame_header(kind, length, magic=b"CRT", version=1, reserved=b"\0\0\0"):
    return magic + bytes([version, kind]) + reserved + struct.pack(">I", length)


def how_closed(sock, seconds):
    """How the peer closed (or reset) the connection within `seconds`; "" if it did not."""
    deadline = time.monotonic() + seconds
    try:
        while True:
            sock.settimeout(max(0.001, deadline - time.monotonic()))
            data = sock.recv(65536)
            if not data:
                return "end of stream"
    except socket.timeout:
        return ""
    except (ConnectionError, OSError, ssl.SSLError) as e:
        return str(e) or type(e).__name__


def closed_within(sock, seconds):
    return how_closed(sock, seconds) != ""


def strangers(host, port):
    # Issue 10's packet, every header field extreme, truncated headers, TLS-looking records
    # claiming huge lengths, and a valid-looking header followed by slow bytes.
    cases = [
        ("basp 4 GiB claim", BASP_CLAIM),
        ("basp all 0xff", b"\xff" * 32),
        ("frame hello 4 GiB", frame_header(1, 0xFFFFFFFF)),
        ("frame envelope 4 GiB", frame_header(2, 0xFFFFFFFF)),
        ("frame kind 255", frame_header(255, 0xFFFFFFFF)),
        ("frame bad magic", frame_header(2, 0xFFFFFFFF, magic=b"\xff\xff\xff")),
        ("frame version 255", frame_header(2, 0xFFFFFFFF, version=255)),
        ("frame reserved 0xff", frame_header(2, 16, reserved=b"\xff\xff\xff")),
        ("truncated 1 byte", b"C"),
        ("truncated 11 bytes", frame_header(2, 100)[:11]),
        ("tls record 16 MiB claim", b"\x16\x03\x01\xff\xff" + b"\x01\xff\xff\xff"),
        ("tls record 0xffff claim", b"\x17\x03\x03\xff\xff"),
        ("zeros 64 KiB", b"\0" * 65536),
    ]
    for name, data in cases:
        s = socket.create_connection((host, port), timeout=5)
        try:
            s.sendall(data)
        except OSError:
            pass
        print("%-26s %s" % (name, "closed" if closed_within(s, 8) else "open"), flush=True)
        s.close()
    # Slow bytes: a plausible start, then one byte per 200 ms until the handshake timeout.
    s = socket.create_connection((host, port), timeout=5)
    start = time.monotonic()
    closed = False
    for b in b"\x16\x03\x01\x02\x00" + b"\x01" * 200:
        try:
            s.sendall(bytes([b]))
        except OSError:
            closed = True
            break
        if closed_within(s, 0.2):
            closed = True
            break
    print("%-26s %s after %.1f s" % ("slow bytes", "closed" if closed else "open",
                                    time.monotonic() - start), flush=True)
    s.close()


def idle(host, port, count, hold_s):
    socks = []
    for i in range(count):
        source = "127.0.0.%d" % (2 + i % 200)  # spread over sources: the total cap is met too
        try:
            s = socket.create_connection((host, port), timeout=5, source_address=(source, 0))
            socks.append(s)
        except OSError:
            pass
    print("opened %d" % len(socks), flush=True)
    deadline = time.monotonic() + hold_s
    closed = 0
    for s in socks:
        if closed_within(s, max(0.0, deadline - time.monotonic())):
            closed += 1
    print("closed %d of %d within %d s" % (closed, len(socks), hold_s), flush=True)


def insider(host, port, pki, name):
    # A peer with a valid certificate: its hello names it, then frames the link must refuse
    # before committing memory: a 4 GiB envelope claim, a frame of unknown kind.
    cases = [
        ("envelope 4 GiB claim", frame_header(2, 0xFFFFFFFF)),
        ("envelope 5 MiB claim", frame_header(2, 5 << 20)),
        ("kind 9", frame_header(9, 0)),
        ("second hello", frame_header(1, len(name)) + name.encode()),
    ]
    for label, data in cases:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.load_verify_locations("%s/ca.crt" % pki)
        ctx.load_cert_chain("%s/%s.crt" % (pki, name), "%s/%s.key" % (pki, name))
        raw = socket.create_connection((host, port), timeout=5)
        s = ctx.wrap_socket(raw)
        hello = name.encode()
        s.sendall(frame_header(1, len(hello)) + hello)
        s.sendall(data)
        print("%-26s %s" % (label, "closed" if closed_within(s, 8) else "open"), flush=True)
        s.close()


def cert(host, port, ca, cert_file, key_file, hello):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(ca)
    if cert_file != "-":
        ctx.load_cert_chain(cert_file, key_file)
    raw = socket.create_connection((host, port), timeout=5)
    try:
        s = ctx.wrap_socket(raw)
        s.sendall(frame_header(1, len(hello)) + hello.encode())
        why = how_closed(s, 1)
        print("closed (%s)" % why if why else "open", flush=True)
    except (ssl.SSLError, OSError) as e:
        print("closed (%s)" % e, flush=True)


def main(argv):
    mode, host, port = argv[1], argv[2], int(argv[3])
    if mode == "strangers":
        strangers(host, port)
    elif mode == "idle":
        idle(host, port, int(argv[4]), int(argv[5]))
    elif mode == "insider":
        insider(host, port, argv[4], argv[5])
    elif mode == "cert":
        cert(host, port, argv[4], argv[5], argv[6], argv[7])
    else:
        raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main(sys.argv)
