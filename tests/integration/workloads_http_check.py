#!/usr/bin/env python3
"""HTTP checks of build/workloads/httpd, run by workloads_native.sh inside the
test's own network namespace. Each subcommand prints what it checked and
exits non-zero on the first failure."""
import os
import resource
import selectors
import socket
import sys
import time
from email.utils import parsedate_to_datetime

HOST = "127.0.0.1"
TIMEOUT = 10.0


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


class Conn:
    def __init__(self, port, rcvbuf=0):
        self.s = socket.socket()
        self.s.settimeout(TIMEOUT)
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.connect((HOST, port))
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def _fill(self):
        chunk = self.s.recv(65536)
        if not chunk:
            return False
        self.buf += chunk
        return True

    def response(self, head=False):
        """One response: (status, headers dict lower-cased, body)."""
        while b"\r\n\r\n" not in self.buf:
            if not self._fill():
                fail("connection closed before a full response header; got %r" % self.buf[:200])
        head_bytes, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head_bytes.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        check(parts[0] == "HTTP/1.1", "status line %r" % lines[0])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        check("content-length" in headers, "no Content-Length in %r" % lines)
        check("date" in headers, "no Date header")
        parsedate_to_datetime(headers["date"])   # raises if malformed
        n = 0 if head else int(headers["content-length"])
        while len(self.buf) < n:
            if not self._fill():
                fail("connection closed inside a body")
        body, self.buf = self.buf[:n], self.buf[n:]
        return int(parts[1]), headers, body

    def expect_eof(self, what):
        """The server must close (after the response): EOF, no more bytes."""
        try:
            while self._fill():
                pass
        except ConnectionResetError:
            fail(what + ": connection reset instead of an orderly close")
        check(self.buf == b"", what + ": extra bytes after the response: %r" % self.buf[:80])

    def still_open(self, port_hint=""):
        # A request still answered proves the connection stayed open.
        self.send(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        status, _, body = self.response()
        check(status == 200 and len(body) == 612, "connection not kept alive " + port_hint)

    def close(self):
        self.s.close()


def get_page(port, request, head=False):
    c = Conn(port)
    c.send(request)
    r = c.response(head)
    return c, r


def basic(port):
    c, (status, h, body) = get_page(port, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    check(status == 200, "GET / gave %d" % status)
    check(h["content-length"] == "612" and len(body) == 612,
          "body is %d bytes, Content-Length %s" % (len(body), h["content-length"]))
    check(h.get("content-type") == "text/html", "Content-Type %r" % h.get("content-type"))
    check(body.startswith(b"<!DOCTYPE html>") and body.rstrip().endswith(b"</html>"), "body is not the HTML page")
    print("ok GET / -> 200, 612-byte text/html body")

    # keep-alive: more requests on the same connection
    c.send(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    status, h, body = c.response()
    check(status == 200 and len(body) == 612, "second request on one connection")
    c.send(b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n")
    status, h, body = c.response(head=True)
    check(status == 200 and h["content-length"] == "612" and body == b"", "HEAD /")
    c.send(b"GET /nope HTTP/1.1\r\n\r\nPOST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc")
    check(c.response()[0] == 404, "GET /nope is not 404")
    status, h, _ = c.response()
    check(status == 405 and h.get("allow") == "GET, HEAD", "POST / is not 405 with Allow")
    c.still_open("after 404/405")
    print("ok keep-alive: GET, GET, HEAD, 404, 405, GET on one connection")

    # pipelining: answers in order, in one go
    c.send(b"GET / HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\n\r\nHEAD / HTTP/1.1\r\n\r\nGET /?q=1 HTTP/1.1\r\n\r\n")
    got = [c.response()[0], c.response()[0], c.response(head=True)[0], c.response()[0]]
    check(got == [200, 404, 200, 200], "pipelined answers %r" % got)
    c.close()
    print("ok pipelined requests answered in order")

    # A client that sends many requests and reads nothing for a while: the
    # answers (megabytes) outgrow the socket buffers, the server must hold
    # them and the unparsed input, and still answer everything in order.
    # A small receive buffer makes sure the server's writes do block.
    c = Conn(port, rcvbuf=4096)
    # Answers total ~9 MB, above the largest send buffer (tcp_wmem, 4 MiB).
    n = 12000
    c.send(b"".join(b"GET /%s HTTP/1.1\r\n\r\n" % (b"x" if i % 10 == 0 else b"") for i in range(n)))
    time.sleep(0.5)
    for i in range(n):
        status = c.response()[0]
        check(status == (404 if i % 10 == 0 else 200), "flooded answer %d is %d" % (i, status))
    c.still_open("after a pipelined flood")
    c.close()
    print("ok %d pipelined requests from a client that read late: all answered in order" % n)

    # Connection: close and HTTP/1.0 rules
    c, (status, h, _) = get_page(port, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
    check(status == 200 and h["connection"] == "close", "Connection: close not echoed")
    c.expect_eof("HTTP/1.1 Connection: close")
    c, (status, h, _) = get_page(port, b"GET / HTTP/1.0\r\n\r\n")
    check(status == 200, "HTTP/1.0 GET")
    c.expect_eof("HTTP/1.0 without keep-alive")
    c, (status, h, _) = get_page(port, b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    check(status == 200 and h["connection"] == "keep-alive", "HTTP/1.0 keep-alive")
    c.still_open("(HTTP/1.0 keep-alive)")
    c.close()
    print("ok Connection: close, HTTP/1.0 closes, HTTP/1.0 keep-alive stays open")

    # bad input: the error status, then an orderly close
    bad = [
        (b"GARBAGE\r\n\r\n", 400),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400),
        (b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 1000000000\r\n\r\n", 413),
        (b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431),
        (b"GET /" + b"p" * 300 + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET / HTTP/2.0\r\n\r\n", 505),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
        # an error after a good pipelined request: both answered, then close
        (b"GET / HTTP/1.1\r\n\r\nBAD\x01\r\n\r\nGET / HTTP/1.1\r\n\r\n", [200, 400]),
    ]
    for req, want in bad:
        c = Conn(port)
        c.send(req)
        wants = want if isinstance(want, list) else [want]
        for w in wants:
            status, h, _ = c.response()
            check(status == w, "%r... gave %d, want %d" % (req[:30], status, w))
        check(h["connection"] == "close", "error response without Connection: close")
        c.expect_eof("after %d" % wants[-1])
        c.close()
    print("ok malformed requests: 400, 413, 414, 431, 501, 505, each then closed")

    # a request sent byte by byte
    c = Conn(port)
    for b in b"GET / HTTP/1.1\r\nHost: slow\r\n\r\n":
        c.send(bytes([b]))
    check(c.response()[0] == 200, "byte-by-byte request")
    c.close()
    # peers that vanish: connect-close, half a request then reset
    for _ in range(20):
        s = socket.create_connection((HOST, port), timeout=TIMEOUT)
        s.close()
        s = socket.create_connection((HOST, port), timeout=TIMEOUT)
        s.sendall(b"GET / HT")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    c, (status, _, _) = get_page(port, b"GET / HTTP/1.1\r\n\r\n")
    check(status == 200, "server unwell after resets")
    c.close()
    print("ok byte-by-byte request; resets and early closes survived")


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n:
        if hard != resource.RLIM_INFINITY and hard < n:
            print("SKIPREASON: this shell's descriptor limit %d is below %d" % (hard, n))
            sys.exit(77)
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, hard))


def open_many(port, n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.settimeout(TIMEOUT)
        s.connect((HOST, port))
        socks.append(s)
    return socks


def serve_all(socks, request=b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"):
    """Sends one request on each socket and reads every response (all
    sockets at once, so none waits behind another). Returns how many got a
    complete 200 with the 612-byte page."""
    sel = selectors.DefaultSelector()
    bufs = {}
    for s in socks:
        s.sendall(request)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        bufs[s] = b""
    done = 0
    deadline = time.monotonic() + 30
    pending = set(socks)
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            try:
                chunk = s.recv(65536)
            except BlockingIOError:
                continue
            bufs[s] += chunk
            b = bufs[s]
            if not chunk or (b"\r\n\r\n" in b and len(b.split(b"\r\n\r\n", 1)[1]) >= 612):
                sel.unregister(s)
                pending.discard(s)
                if b.startswith(b"HTTP/1.1 200 ") and len(b.split(b"\r\n\r\n", 1)[1]) == 612:
                    done += 1
    sel.close()
    for s in socks:
        s.setblocking(True)
    return done


def wait_fds(pid, want, what):
    deadline = time.monotonic() + 10
    while fd_count(pid) != want and time.monotonic() < deadline:
        time.sleep(0.1)
    check(fd_count(pid) == want, "%s: httpd holds %d descriptors, %d before (leak)" % (what, fd_count(pid), want))


def concurrent(port, pid, n, base):
    raise_nofile(n + 64)
    wait_fds(pid, base, "before the concurrency test")
    socks = open_many(port, n)
    served = serve_all(socks)
    check(served == n, "%d of %d concurrent connections served" % (served, n))
    held = fd_count(pid) - base
    check(held == n, "httpd holds %d connections while %d are open" % (held, n))
    # All still open and kept alive: a second round on every one.
    served = serve_all(socks)
    check(served == n, "second round: %d of %d served" % (served, n))
    for s in socks:
        s.close()
    wait_fds(pid, base, "after %d concurrent connections" % n)
    print("ok %d concurrent connections held open, all served twice, no descriptor leaked" % n)


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])   # utime + stime


def limited(port, pid, n_open, cap):
    """httpd runs with too few descriptors ("fd:LIMIT") or a --max-conns
    ("conns:N"): the extra connections wait in the backlog without making it
    spin, and are served once others close."""
    raise_nofile(n_open + 64)
    base = fd_count(pid)
    kind, _, num = cap.partition(":")
    n_served = int(num) - base if kind == "fd" else int(num)
    check(0 < n_served < n_open, "bad limit %s for %d connections" % (cap, n_open))
    socks = open_many(port, n_open)
    first, rest = socks[:n_served], socks[n_served:]
    check(serve_all(first) == n_served, "the first %d connections were not served" % n_served)
    for s in rest:
        s.sendall(b"GET / HTTP/1.1\r\n\r\n")
    hz = os.sysconf("SC_CLK_TCK")
    t0 = cpu_ticks(pid)
    time.sleep(1.0)
    used = (cpu_ticks(pid) - t0) / hz
    # A spinning loop burns the whole second; a waiting one next to nothing.
    check(used < 0.5, "httpd used %.2f s of CPU in 1 s while at its limit: it spins" % used)
    for s in first:
        s.close()
    for s in rest:
        s.setblocking(True)
    served = serve_all(rest, request=b"")
    check(served == len(rest), "after closing, %d of %d waiting connections served" % (served, len(rest)))
    for s in rest:
        s.close()
    wait_fds(pid, base, "after the limit test")
    print("ok at the descriptor/connection limit: %d waited without spinning (%.2f s CPU in 1 s), then served" % (len(rest), used))


def main():
    cmd = sys.argv[1]
    port = int(sys.argv[2])
    try:
        run(cmd, port)
    except OSError as e:
        fail("%s: %r" % (cmd, e))


def run(cmd, port):
    if cmd == "basic":
        basic(port)
    elif cmd == "concurrent":
        concurrent(port, int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "limited":
        limited(port, int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        fail("unknown subcommand " + cmd)


if __name__ == "__main__":
    main()
