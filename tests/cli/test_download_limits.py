# SPDX-License-Identifier: GPL-2.0-or-later
"""Downloads are bounded (docs/index.md, "Download limits"): a server on 127.0.0.1 serves
a plugins.xml that never ends, one that announces 10^12 bytes, a gzip body that decodes to
1 GiB, and one a byte a second. Each sync fails within its bound with exit 3 and a message
naming the limit, and the repository keeps what the previous sync stored."""
import http.server
import json
import os
import shutil
import socketserver
import struct
import tempfile
import threading
import time
import unittest
import zlib

from test_hostile import Bounded

GOOD = (b'<plugins><pyqgis_plugin name="Good" version="1.0"><qgis_minimum_version>3.0'
        b'</qgis_minimum_version><file_name>good.1.0.zip</file_name></pyqgis_plugin></plugins>')


def gzip_bomb(decoded_mib):
    """A gzip member of `decoded_mib` MiB of zeros (about 1 MB per GiB): one MiB compressed
    after a full flush is the same bytes every time, so it is compressed once and repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\0" * (1 << 20)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)  # with the header
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(decoded_mib):
        crc = zlib.crc32(chunk, crc)
    # A final empty block, then the trailer: CRC-32 and size (mod 2^32) of the data.
    trailer = b"\x03\x00" + struct.pack("<II", crc, (decoded_mib << 20) & 0xFFFFFFFF)
    return first + block * (decoded_mib - 1) + trailer


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    mode = "good"
    bomb = b""

    def handle_error(self, request, client_address):
        pass  # a client that hangs up on a download it refuses is the point of these tests


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        mode = self.server.mode
        try:
            if mode == "good":
                self.reply(200, GOOD, {"Content-Length": str(len(GOOD))})
            elif mode == "endless":
                # No Content-Length, no end: the connection never closes by itself.
                self.reply(200, b"<plugins>", {"Connection": "close"})
                while True:
                    self.wfile.write(b"<a/>" * 16384)
            elif mode == "huge":
                self.reply(200, b"<plugins>", {"Content-Length": str(10 ** 12)})
                while True:
                    self.wfile.write(b"<a/>" * 16384)
            elif mode == "gzip":
                self.reply(200, self.server.bomb, {"Content-Length": str(len(self.server.bomb)),
                                                   "Content-Encoding": "gzip"})
            elif mode == "slow":
                self.reply(200, b"", {"Connection": "close"})
                for _ in range(600):
                    self.wfile.write(b"<")
                    self.wfile.flush()
                    time.sleep(1)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    def reply(self, status, body, headers):
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class DownloadLimits(Bounded, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(("127.0.0.1", 0), Handler)
        cls.server.bomb = gzip_bomb(1024)
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.url = f"http://127.0.0.1:{cls.server.server_address[1]}/plugins.xml"

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.index = os.path.join(self.tmp, "index.sqlite")
        self.server.mode = "good"
        r = self.run_bounded("repo", "add", "web", self.url, "--sync", "--index", self.index,
                             seconds=20, megabytes=200)
        self.assertEqual(r.returncode, 0, r.stderr)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def sync_fails(self, mode, *options, seconds=20, megabytes=300):
        self.server.mode = mode
        r = self.run_bounded("repo", "sync", "web", "--force", *options, "--index", self.index,
                             seconds=seconds, megabytes=megabytes)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn(self.url, r.stderr)
        # What the previous sync stored is still there.
        listed = self.run_bounded("list", "--json", "--qgis", "3.34.0", "--index", self.index,
                                  seconds=10, megabytes=200)
        self.assertEqual([(p["name"], p["latest"]) for p in json.loads(listed.stdout)["packages"]],
                         [("good", "1.0")])
        return r

    def test_endless_body(self):
        r = self.sync_fails("endless")
        self.assertIn("larger than 64 MiB, the limit for a plugins.xml", r.stderr)
        self.assertIn("--max-download", r.stderr)

    def test_endless_body_with_a_smaller_limit(self):
        r = self.sync_fails("endless", "--max-download", "2MB", megabytes=100)
        self.assertIn("larger than 2 MB", r.stderr)

    def test_huge_content_length(self):
        r = self.sync_fails("huge", seconds=10, megabytes=100)
        self.assertIn("announced (Content-Length) larger than 64 MiB", r.stderr)

    def test_gzip_bomb_counts_decoded_bytes(self):
        self.assertLess(len(self.server.bomb), 2 << 20)
        r = self.sync_fails("gzip")
        self.assertIn("larger than 64 MiB", r.stderr)

    def test_slow_server_stalls(self):
        r = self.sync_fails("slow", "--stall-timeout", "2", seconds=15, megabytes=100)
        self.assertIn("stalled", r.stderr)
        self.assertIn("--stall-timeout", r.stderr)

    def test_whole_download_timeout(self):
        r = self.sync_fails("slow", "--stall-timeout", "0", "--download-timeout", "2",
                            seconds=15, megabytes=100)
        self.assertIn("took more than 2 s", r.stderr)

    def test_bad_size_is_a_usage_error(self):
        r = self.run_bounded("repo", "sync", "--max-download", "lots", "--index", self.index,
                             seconds=10, megabytes=100)
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    unittest.main()
