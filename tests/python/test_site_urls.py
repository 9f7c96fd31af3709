# SPDX-License-Identifier: GPL-2.0-or-later
"""The links plugins.qgis.org refuses with no network, differentially: Debian's own requests
2.28 (with urllib3 1.26 and idna 3.3) and Python's urllib.parse decide, on thousands of URLs,
whether the site's link check (validator.py's _check_url_link: requests.head, then urlparse's
scheme and netloc) refuses a tracker before any request leaves; `--profile site` must report
META-URL-INVALID or META-URL-REFUSED on exactly those.

The network fails fast: socket.getaddrinfo raises, so a URL that gets as far as resolving its
host counts as sent (what happens then is --check-links' business). Nothing else of requests
is touched."""
import random
import socket
import unittest
import urllib.parse

import requests

import qplug
import site_verdict_cases

BASE = dict(site_verdict_cases.GOOD)

INTERESTING = [
    0x80, 0xA0, 0xAA, 0xAD, 0xB2, 0xB7, 0xDF, 0xE9, 0xFC, 0x130, 0x131, 0x17F, 0x1C5, 0x300,
    0x301, 0x345, 0x375, 0x3A3, 0x3C2, 0x5D0, 0x5F3, 0x5F4, 0x627, 0x660, 0x669, 0x6F0, 0x6F9,
    0x898, 0x915, 0x94D, 0x200C, 0x200D, 0x2100, 0x2101, 0x2024, 0x2044, 0x2215, 0x2F00,
    0x3002, 0x3042, 0x30A2, 0x30FB, 0x4E00, 0xFE13, 0xFE16, 0xFF03, 0xFF0F, 0xFF1A, 0xFF1F,
    0xFF20, 0xFF41, 0x1F4A9, 0x10FFFD, 0xE0001,
]


def generated_urls():
    urls = list(site_verdict_cases.URLS)
    cps = sorted(set(INTERESTING) | set(range(0x81, 0x30000, 89)))
    for cp in cps:
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        urls += [f"https://a{c}b.example/x", f"https://{c}.example/x", f"https://x.{c}{c}/",
                 f"https://l{c}l.example/", f"https://{c}a.example/"]
    # contexts of the IDNA rules
    urls += ["https://\u0915\u094d\u200d.example/", "https://\u0628\u200c\u0628.example/",
             "https://a\u200cb.example/", "https://l\u00b7l.example/", "https://\u0375\u03b1.example/",
             "https://\u05d0\u05f3.example/", "https://\u30fb\u3042.example/", "https://\u30fb.example/",
             "https://\u0661\u06f1.example/", "https://\u05d0\u05d1.example/", "https://\u05d0a.example/",
             "https://a\u05d0.example/", "https://\u05d01.example/", "https://\u0627\u0661\u0031.example/",
             "https://e\u0301.example/", "https://\u00e9.example/", "https://\u0301e.example/",
             "https://ab--\u00fc.example/", "https://-\u00fc.example/", "https://\u00fc-.example/",
             "https://" + "\u00fc" * 30 + ".example/", "https://" + "\u00fc" * 60 + ".example/",
             "https://\u03a3\u03a3.example/", "https://\u0130.example/"]
    for port in ["", "0", "00", "08", "65535", "65536", "99999", "123456", "1a", "-1", "+1", "٣"]:
        urls += [f"https://example.org:{port}/x", f"https://[::1]:{port}/x"]
    for v6 in ["::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
               "1::2::3", "::ffff:1.2.3.4", "::ffff:1.2.3.999", "::1.2.3", "1:2:3:4:5:6:1.2.3.4",
               "1:2:3:4:5:6:7:1.2.3.4", "1::1.2.3.4", "::1:1.2.3.4", "12345::", "g::", ":::1",
               "1:::", "::01.2.3.4", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6::8",
               "1::8", "::1.2.3.4", "1.2.3.4", "fe80::1%25eth0", "fe80::1%eth0", "fe80::1%",
               "fe80::1%25", "fe80::1%41bc", "fe80::1%eth%41", "fe80::1%!x", "fe80::1%2541",
               "fe80::1%ab", "fe80::1%a%62", "v1.x", "v1.", "vx.1", "V1.x", "::1]x[", "ABCD::"]:
        urls += [f"https://[{v6}]/x", f"http://[{v6}]:8080/"]
    for host in ["%2e", "%41", "%zz", "%4", "a%2", "%2E%2E", "%00", "a%2eb", "%2Eexample.org",
                 "example.org%2E%2E", "a.", "a..", ".a", "*a", "a*", "a.*", "a" * 63 + ".", "a" * 64 + ".",
                 "x." + "a" * 64, "a" * 64, "a%20b", "a\"b", "a<b", "a{b", "a|b", "a^b", "a`b", "a\x01b",
                 "a\x7fb", "a b", "a!b", "a$b", "a&b", "a'b", "a(b", "a+b", "a,b", "a;b", "a=b",
                 "\u2100", "a\u2100b", "\uff41", "a\u3002b", "localhost", "127.0.0.1", "999.1.1.1",
                 "1.2.3.4.5", "01.2.3.4"]:
        urls += [f"https://{host}/x", f"http://{host}"]
    for rest in ["\u2100@github.com/", "\uff41@github.com/", "u@\uff47ithub.com/", "a[b]c/",
                 "x/[", "[::1]\\x", "x\\[y", "u:p@[::1]/", "u@[::1]x/", "[::1]@x/", "a@b@c/",
                 "x?[", "x#]", "@/", "@x/", "x:1@y/", "\u00e9:p@x/", "\u0101:p@x/", "u:\u0101@x/",
                 "\u0101@x/", "u:%C4%81@x/", "u:%E9@x/", "u:%FF%FE@x/", "u:%zz\u0101@x/", ":@x/",
                 "%41:@x/", "u:p:q@x/", "u%3Ap@x/"]:
        urls.append("https://" + rest)
    for scheme in ["HtTpS", "http+x", "https.x", "http-x", "h", "HTTP", "httpS", "https ", " https",
                   "ht\ttps", "https\u00a0"]:
        urls += [f"{scheme}://example.org/x", f"{scheme}:example.org"]
    rng = random.Random(13)
    alphabet = list("aZ0.-_%2e[]:@* \t!~xn/?#\\") + ["\u00fc", "\u00df", "\u200d", "\uff41", "\u2100",
                                                  "\u0301", "\u05d0", "\u0661"]
    for _ in range(2500):
        host = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        port = rng.choice(["", ":", ":80", ":abc", ":99999"])
        urls.append(rng.choice(["https://", "http://", "HTTPS://"]) + host + port + rng.choice(["", "/x", "?q"]))
    out, seen = [], set()
    for u in urls:
        u = u.strip()  # configparser strips values
        if u and "\n" not in u and "\r" not in u and u not in seen and u not in ("http://bugs",):
            seen.add(u)
            out.append(u)
    return out


def site_refuses(url):
    """validator.py's _check_url_link for one URL, with a network that fails at once."""
    try:
        requests.head(url, timeout=1, allow_redirects=True)
    except requests.exceptions.ConnectionError:
        pass  # sent: it got as far as resolving the host
    except Exception:  # noqa: BLE001 - the validator catches everything too
        return True
    try:
        parsed = urllib.parse.urlparse(url)
        return not all([parsed.scheme, parsed.netloc])
    except Exception:  # noqa: BLE001
        return True


class SiteUrls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.real_getaddrinfo = socket.getaddrinfo

        def offline(*args, **kwargs):
            raise socket.gaierror(socket.EAI_NONAME, "no network in this test")

        socket.getaddrinfo = offline

    @classmethod
    def tearDownClass(cls):
        socket.getaddrinfo = cls.real_getaddrinfo

    def qplug_refuses(self, url):
        text = site_verdict_cases.metadata_text(dict(BASE, tracker=url)).decode("utf-8")
        doc = qplug.parse_metadata(text, keys="site")
        return any(d.rule in ("META-URL-INVALID", "META-URL-REFUSED", "META-URL-PLACEHOLDER")
                   and d.key == "tracker" for d in doc.validate(profile="site"))

    def test_refusals_agree_with_requests(self):
        urls = generated_urls()
        self.assertGreater(len(urls), 10000)
        disagreements = []
        refused = 0
        for url in urls:
            site = site_refuses(url)
            refused += site
            if site != self.qplug_refuses(url):
                disagreements.append((url, "site refuses" if site else "site sends it"))
        print(f"\n{len(urls)} URLs, {refused} refused by the site offline; "
              f"{len(urls) - len(disagreements)} agree")
        self.assertEqual(disagreements[:40], [])

    def test_the_issue_s_examples(self):
        for url in ["git+https://github.com/x", "git://github.com/x", "ssh://git@github.com/x",
                    "https://.org/x", "https://github.com:abc/x", "https://*.example.org/"]:
            with self.subTest(url=url):
                self.assertTrue(site_refuses(url))
                text = site_verdict_cases.metadata_text(dict(BASE, homepage=url)).decode()
                rules = [d.rule for d in qplug.parse_metadata(text, keys="site").validate(profile="site")
                         if d.key == "homepage"]
                self.assertEqual(rules, ["META-URL-REFUSED"])
        text = site_verdict_cases.metadata_text(BASE).decode()
        self.assertEqual([d.rule for d in qplug.parse_metadata(text, keys="site").validate(profile="site")
                          if d.severity == "error"], [])


if __name__ == "__main__":
    unittest.main()
