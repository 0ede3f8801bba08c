#!/usr/bin/env python3
"""A mirror that misbehaves on purpose, for the refusal tests. Serves DIRECTORY on 127.0.0.1
(port 0 = any free port, printed on the first line) and, depending on MODE, damages blob
responses: flip (one byte changed), truncate (half the bytes), longer (extra bytes), stall
(never answers), trickle (the right bytes, one every half second), trickle-headers (the
header lines, one byte every half second), endless (streams bytes forever), trickle-manifest and
endless-manifest (the same, for the manifest), cut-after-N (serves N blobs, then fails),
old-release (serves releases from OLD_DIRECTORY instead). Bounded: exits after 120 s."""
import http.server
import os
import sys
import threading
import time

MODE, DIRECTORY = sys.argv[1], sys.argv[2]
OLD_DIRECTORY = sys.argv[3] if len(sys.argv) > 3 else DIRECTORY
served_blobs = 0
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *arguments):
        pass

    def send_bytes(self, data, length=None):
        self.send_response(200)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        global served_blobs
        root = OLD_DIRECTORY if (MODE == "old-release" and self.path.startswith("/releases/")) else DIRECTORY
        path = os.path.normpath(os.path.join(root, self.path.lstrip("/")))
        if not path.startswith(os.path.abspath(root)) or not os.path.isfile(path):
            self.send_error(404)
            return
        data = open(path, "rb").read()
        is_chunk = self.path.startswith("/blobs/") and len(data) <= (1 << 20) and not data.startswith(b"VXPM")
        if MODE.endswith("-manifest") and data.startswith(b"VXPM"):
            self.send_response(200)
            if MODE == "trickle-manifest":
                self.send_header("Content-Length", str(10_000_000))  # a big manifest, arriving slowly
            self.end_headers()
            try:
                for _ in range(100000):
                    if MODE == "trickle-manifest":
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.2)
                    else:
                        self.wfile.write(b"z" * 65536)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if not is_chunk:
            self.send_bytes(data)
            return
        with lock:
            served_blobs += 1
            count = served_blobs
        if MODE == "flip":
            data = bytearray(data)
            data[len(data) // 2] ^= 0x40
            self.send_bytes(bytes(data))
        elif MODE == "truncate":
            self.send_bytes(data[: len(data) // 2], length=len(data))  # promise more than sent
            self.close_connection = True
        elif MODE == "longer":
            self.send_bytes(data + b"x" * 4096)
        elif MODE == "stall":
            time.sleep(60)
        elif MODE == "trickle":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                for byte in data:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.5)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif MODE == "trickle-headers":
            try:
                for byte in b"HTTP/1.1 200 OK\r\n" + b"X-Padding: " + b"p" * 1000:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.5)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif MODE == "endless":
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(100000):
                    self.wfile.write(b"z" * 65536)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif MODE.startswith("cut-after-"):
            if count > int(MODE.split("-")[-1]):
                self.send_error(503)
            else:
                self.send_bytes(data)
        else:
            self.send_bytes(data)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Timer(120, server.shutdown).start()
server.serve_forever()
