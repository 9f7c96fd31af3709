#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Records plugins.qgis.org's verdict on every ZIP of tests/python/site_verdict_cases.py into
tests/data/site-verdicts/verdicts.json, by running the site's own upload validator
(qgis-app/plugins/validator.py of github.com/qgis/QGIS-Plugins-Website, not part of qplug) with
Debian's python3-django 3.2 and python3-requests.

The validator is run as the upload forms run it, unmodified:
validator(InMemoryUploadedFile(..., content_type="application/zip", size=..., charset="utf8"),
is_new=False) and is_new=True. Its link check sends HEAD requests with the requests library. This
machine has no network; the model recorded is "every link that reaches the network answers":
requests is pointed (HTTP_PROXY / HTTPS_PROXY, REQUESTS_CA_BUNDLE: its documented environment) at
a local proxy that answers 200 to every request, over TLS with certificates of a CA made for the
run. So what the site refuses is what it refuses whatever the network does: the URLs requests
itself refuses before sending anything (scheme, host, port, IDNA labels), the placeholders, and
every other check. That is the contract of `qplug package check` without --check-links.

Usage: scripts/record-site-verdicts.py QGIS-PLUGINS-WEBSITE-CHECKOUT [--out FILE]
(needs: apt-get install python3-django; the checkout: any folder holding qgis-app/plugins)
"""
import argparse
import datetime
import http.server
import io
import json
import os
import socket
import socketserver
import ssl
import sys
import tempfile
import threading
import time
import traceback

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))

import site_verdict_cases  # noqa: E402


class CertificateAuthority:
    """A CA made for this run and a leaf certificate per host it is asked for."""

    def __init__(self, folder):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self.x509, self.hashes, self.serialization, self.ec, self.NameOID = (
            x509, hashes, serialization, ec, NameOID)
        self.folder = folder
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "qplug verdict recorder CA")])
        now = datetime.datetime(2024, 1, 1)
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                     .public_key(self.key.public_key()).serial_number(1)
                     .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=36500))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.bundle = os.path.join(folder, "ca.pem")
        with open(self.bundle, "wb") as fh:
            fh.write(self.cert.public_bytes(serialization.Encoding.PEM))
        self.leaves = {}
        self.lock = threading.Lock()

    def context_for(self, host):
        with self.lock:
            if host in self.leaves:
                return self.leaves[host]
            import ipaddress
            x509 = self.x509
            key = self.ec.generate_private_key(self.ec.SECP256R1())
            try:
                san = x509.IPAddress(ipaddress.ip_address(host.strip("[]")))
            except ValueError:
                san = x509.DNSName(host)
            now = datetime.datetime(2024, 1, 1)
            cert = (x509.CertificateBuilder()
                    .subject_name(x509.Name([x509.NameAttribute(self.NameOID.COMMON_NAME, "leaf")]))
                    .issuer_name(self.cert.subject).public_key(key.public_key())
                    .serial_number(len(self.leaves) + 2).not_valid_before(now)
                    .not_valid_after(now + datetime.timedelta(days=36500))
                    .add_extension(x509.SubjectAlternativeName([san]), critical=False)
                    .sign(self.key, self.hashes.SHA256()))
            path = os.path.join(self.folder, f"leaf{len(self.leaves)}.pem")
            with open(path, "wb") as fh:
                fh.write(cert.public_bytes(self.serialization.Encoding.PEM))
                fh.write(key.private_bytes(self.serialization.Encoding.PEM,
                                           self.serialization.PrivateFormat.PKCS8,
                                           self.serialization.NoEncryption()))
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(path)
            self.leaves[host] = ctx
            return ctx


class AnswerEverything(http.server.BaseHTTPRequestHandler):
    """A proxy standing for a network where every link answers 200."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    ca = None
    seen = []

    def log_message(self, *args):
        pass

    @staticmethod
    def connectable(host):
        """What urllib3's create_connection checks before it resolves a host it connects to
        itself (host.encode("idna")); through a proxy it connects to the proxy, so the proxy
        refuses such hosts for it, as a direct connection would fail."""
        host = host.strip("[]") if host.startswith("[") else host
        try:
            host.encode("idna")
            return True
        except UnicodeError:
            return False

    def answer(self):
        from urllib3.util import parse_url

        if not self.connectable(parse_url(self.path).host or ""):
            self.close_connection = True
            return
        AnswerEverything.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET = answer

    def do_CONNECT(self):
        host = self.path.rsplit(":", 1)[0]
        if not self.connectable(host):
            self.close_connection = True
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        try:
            tls = self.ca.context_for(host).wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError, ValueError):
            self.close_connection = True
            return
        self.connection = tls
        self.rfile = tls.makefile("rb")
        self.wfile = tls.makefile("wb")
        self.close_connection = False
        while not self.close_connection:
            self.handle_one_request()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def load_validator(checkout):
    import django
    from django.conf import settings

    settings.configure(USE_I18N=False, INSTALLED_APPS=[])
    django.setup()
    sys.path.insert(0, os.path.join(checkout, "qgis-app", "plugins"))
    import validator  # the site's module, unmodified

    return validator


def judge(validator_module, data, is_new):
    from django.core.files.uploadedfile import InMemoryUploadedFile
    from django.forms import ValidationError

    upload = InMemoryUploadedFile(io.BytesIO(data), "package", "plugin.zip", "application/zip",
                                  len(data), "utf8")
    try:
        metadata = validator_module.validator(upload, is_new=is_new)
    except ValidationError as e:
        return {"accepted": False, "message": " ".join(str(m) for m in e.messages)}
    except Exception as e:  # noqa: BLE001 - an upload that crashes the validator fails too
        return {"accepted": False, "exception": type(e).__name__, "message": str(e)}
    warnings = []
    for k, _ in metadata:
        if k in ("multiple_parent_folders", "supportsQt6_deprecated"):
            warnings.append(k)
    result = {"accepted": True}
    if warnings:
        result["warnings"] = warnings
    stored = dict(metadata)
    result["version"] = stored.get("version")
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("checkout")
    ap.add_argument("--only", default="", help="record only the cases whose id starts so (a trial)")
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "site-verdicts", "verdicts.json"))
    args = ap.parse_args()

    tmp = tempfile.mkdtemp()
    AnswerEverything.ca = CertificateAuthority(tmp)
    server = Server(("127.0.0.1", 0), AnswerEverything)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy = f"http://127.0.0.1:{server.server_address[1]}"
    for var in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        os.environ.pop(var, None)
    os.environ.update(HTTP_PROXY=proxy, HTTPS_PROXY=proxy, http_proxy=proxy, https_proxy=proxy,
                      REQUESTS_CA_BUNDLE=AnswerEverything.ca.bundle)
    socket.setdefaulttimeout(20)

    validator_module = load_validator(args.checkout)
    import requests
    import django

    verdicts = []
    for case_id, data, difference in site_verdict_cases.cases(tmp):
        if not case_id.startswith(args.only):
            continue
        started = time.monotonic()
        entry = {"id": case_id, "sha256": site_verdict_cases.sha256(data), "size": len(data)}
        for is_new in (False, True):
            try:
                entry["new" if is_new else "existing"] = judge(validator_module, data, is_new)
            except Exception:
                traceback.print_exc()
                raise
        if difference:
            entry["difference"] = difference
        if time.monotonic() - started > 2:
            print(f"slow: {case_id}: {time.monotonic() - started:.1f} s", file=sys.stderr)
        verdicts.append(entry)
    out = {
        "produced_by": "scripts/record-site-verdicts.py",
        "validator": "qgis/QGIS-Plugins-Website qgis-app/plugins/validator.py",
        "django": django.get_version(),
        "requests": requests.__version__,
        "python": sys.version.split()[0],
        "network": "every request that reaches the network answers 200 (local proxy)",
        "cases": verdicts,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(out, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    accepted = sum(1 for v in verdicts if v["existing"]["accepted"])
    print(f"{len(verdicts)} ZIPs: {accepted} accepted, {len(verdicts) - accepted} refused "
          f"(existing plugin); {len(AnswerEverything.seen)} requests reached the proxy")


if __name__ == "__main__":
    main()
