#!/usr/bin/python3
"""Writes the fuzz targets' seed corpora (fuzz/seeds/<target>/) from the test vectors.
Parts of one input are separated by NUL bytes (see fuzz/fuzz_input.hpp)."""
import hashlib
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DATA = os.path.join(ROOT, "tests", "data")
SEEDS = os.path.join(ROOT, "fuzz", "seeds")
ONLY = set(sys.argv[1:])  # target names: write only those (default: all)


def lines(name):
    with open(os.path.join(DATA, "versions", name), encoding="utf-8") as fh:
        return [line.rstrip("\n") for line in fh if line.strip()]


def jsonl(name):
    with open(os.path.join(DATA, "versions", name), encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load(path):
    with open(os.path.join(DATA, path), encoding="utf-8") as fh:
        return json.load(fh)


def write(target, inputs):
    if ONLY and target not in ONLY:
        return
    folder = os.path.join(SEEDS, target)
    os.makedirs(folder, exist_ok=True)
    for old in os.listdir(folder):
        if not old.startswith("regression-"):  # findings stay as regression seeds
            os.remove(os.path.join(folder, old))
    for parts in inputs:
        blob = "\0".join(parts).encode("utf-8")
        name = hashlib.sha1(blob).hexdigest()[:16]
        with open(os.path.join(folder, name), "wb") as fh:
            fh.write(blob)
    print(f"{target}: {len(inputs)} seeds")


def write_files(target, files):
    """Seeds that are whole files (bytes), named by their content."""
    if ONLY and target not in ONLY:
        return
    folder = os.path.join(SEEDS, target)
    os.makedirs(folder, exist_ok=True)
    for old in os.listdir(folder):
        if not old.startswith("regression-"):
            os.remove(os.path.join(folder, old))
    for blob in files:
        with open(os.path.join(folder, hashlib.sha1(blob).hexdigest()[:16]), "wb") as fh:
            fh.write(blob)
    print(f"{target}: {len(files)} seeds")


def metadata_seeds():
    """Two corpus files per oddity flag of the manifest, and the configparser behaviour cases."""
    import csv
    picked, per_flag = [], {}
    with open(os.path.join(DATA, "metadata", "MANIFEST.tsv"), encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            for flag in row["flags"].split(","):
                if per_flag.get(flag, 0) < 2 and row["file"] not in picked:
                    per_flag[flag] = per_flag.get(flag, 0) + 1
                    picked.append(row["file"])
    blobs = []
    for name in picked:
        path = os.path.join(DATA, "metadata", name)
        if os.path.exists(path):
            blobs.append(open(path, "rb").read())
    for case in load("qgis/derived/configparser_behaviour.json")["cases"]:
        blobs.append(case["text"].encode("utf-8"))
    return blobs + hostile_metadata()


def hostile_metadata():
    """Shapes that once took gigabytes or quadratic time (tests/cli/test_hostile.py), small
    enough for -max_len: a reference fan-out (ten per level, nine levels deep), a chain
    deeper than configparser follows, references to empty values, many sections, many keys."""
    head = "[general]\nname=x\nversion=1.0\n"
    bomb = head + "l0=lollollollollol\n" + "".join(
        f"l{i}=" + f"%(l{i - 1})s" * 10 + "\n" for i in range(1, 10)) + "about=%(l9)s\n"
    empty = head + "e0=\n" + "".join(
        f"e{i}=" + f"%(e{i - 1})s" * 10 + "\n" for i in range(1, 10))
    chain = head + "c0=x\n" + "".join(f"c{i}=%(c{i - 1})s\n" for i in range(1, 14))
    defaults = "[DEFAULT]\nd0=ab\n" + "".join(
        f"d{i}=" + f"%(d{i - 1})s" * 8 + "\n" for i in range(1, 9)) + head + "about=%(d8)s\n"
    sections = head + "".join(f"[s{i}]\nk=v\n" for i in range(350))
    keys = head + "".join(f"k{i}=%(k{i - 1})s\n" if i else "k0=v\n" for i in range(250))
    return [text.encode("utf-8") for text in (bomb, empty, chain, defaults, sections, keys)]


def package_seeds():
    import io
    import zipfile

    def zipped(files, compression=zipfile.ZIP_DEFLATED):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression) as z:
            for name, content in files:
                info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                info.create_system = 3
                info.external_attr = 0o100644 << 16
                z.writestr(info, content)
        return buf.getvalue()

    meta = open(os.path.join(DATA, "qgis", "qgis-plugins-website", "testfiles", "valid_plugin.zip_",
                             "test_modul", "metadata.txt"), "rb").read()
    good = [("p/__init__.py", b"x=1\n"), ("p/metadata.txt", meta), ("p/LICENSE", b"GPL\n")]
    return [zipped(good), zipped(good, zipfile.ZIP_STORED), zipped(good + [("p/../x", b"")]),
            zipped(good + [("p/a.pyc", b"\0")]), zipped(good + [("p\\b.py", b"")]),
            zipped([("README", b"x")] + good), zipped(good + [("p/big", b"\0" * 200000)]),
            zipped([(n.replace("p/", "q-x/"), c) for n, c in good]), b"PK\x05\x06" + b"\0" * 18]


def zip_range_seeds():
    """Wheels (deflated, stored, with a comment, many entries), their last bytes only, and
    damaged end records, for fuzz/fuzz_zip_range.cpp."""
    import io
    import zipfile

    def wheel(compression, comment=b"", count=3):
        buf = io.BytesIO()
        files = [(f"pkg/m{k}.py", f"x = {k}\n" * 20) for k in range(count)]
        files += [("pkg-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n"
                   "Requires-Dist: a; extra == \"x\"\n\n"),
                  ("pkg-1.0.dist-info/top_level.txt", "pkg\n")]
        with zipfile.ZipFile(buf, "w", compression) as z:
            for name, content in files:
                z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), content,
                           compress_type=compression)
            z.comment = comment
        return buf.getvalue()

    blobs = [wheel(zipfile.ZIP_DEFLATED), wheel(zipfile.ZIP_STORED), wheel(zipfile.ZIP_DEFLATED, b"c" * 300),
             wheel(zipfile.ZIP_DEFLATED, count=200)]
    blobs += [b[-700:] for b in blobs]  # a tail: the offsets point before it
    blobs += [blobs[0][:-3], blobs[0][:-22] + b"PK\x05\x06" + b"\xff" * 18, b"PK\x05\x06" + b"\0" * 18]
    return blobs


def conda_archive_seeds():
    """Conda packages (.tar.bz2, .conda) as tests/support/conda_packages.py writes them: a
    plugin package, an arch package, two modules, a link, and damaged ones, for
    fuzz/fuzz_conda_archive.cpp."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
    from conda_packages import package_bytes, tar_bytes

    record = {"name": "qgis-d-plugin", "version": "1.2", "build": "pyhd8ed1ab_0"}
    plugin = {"site-packages/d_plugin/": b"", "site-packages/d_plugin/__init__.py": b"x = 1\n",
              "site-packages/d_plugin/metadata.txt": b"[general]\nname=D Plugin\nversion=1.2\n",
              "site-packages/qgis_d_plugin-1.2.dist-info/METADATA": b"Name: qgis-d-plugin\n"}
    arch = {"lib/python3.11/site-packages/d/__init__.py": b"", "lib/libd.so": b"\x7fELF"}
    two = dict(plugin, **{"site-packages/e/__init__.py": b""})
    link = dict(plugin, **{"site-packages/d_plugin/l": ("symlink", "/etc/passwd")})
    blobs = [package_bytes(record, files, fmt) for files in (plugin, arch, two, link)
             for fmt in ("tar.bz2", "conda")]
    blobs += [tar_bytes(plugin), blobs[0][:200], blobs[1][: len(blobs[1]) // 2]]
    return blobs


def pep508_seeds():
    """The differential test's vectors, Requires-Dist spellings, and generated requirements
    and markers (tests/python/generate_pep508.py)."""
    import sys
    sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
    import generate_pep508
    texts = [text for _, text in generate_pep508.VECTORS] + generate_pep508.REAL
    texts += generate_pep508.requirements(seed=1508, count=300)
    texts += generate_pep508.markers(seed=1509, count=200)
    return [[t] for t in dict.fromkeys(texts)]


WHEELS = ["numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
          "Zope.Interface-4.0_dev1-1local-py2.py3-none-any.whl", "requests-2.31.0-py3-none-any.whl",
          "a-1.0-\u0663x-py3-none-any.whl", "zope__interface-1.0-py3-none-any.whl",
          "numpy-1.0-py3.-none-any.whl", "caf\u00e9-1.0-py3-none-any.whl", "x-1.0-py3-none-any.WHL"]
SDISTS = ["zope.interface-6.1.tar.gz", "Django-1.0-beta-1.zip", "pkg-name-1.0-dev.tar.gz",
          "p-1.0+a-b-c-d-e-f-g-h.tar.gz", "odd name- 2.0 .zip", "-1.0.tar.gz", "pkg-latest.tar.gz",
          "pkg.tar.gz", "pkg-1.0.tar.bz2"]
MATCH_SPECS = ["libgcc-ng", "numpy >=1.21,<2", "python 3.11.* *_cpython", "pkg ==1.0 py39_0",
               "channel::pkg 1.0", "conda-forge/linux-64::numpy>=1.0",
               "pkg[version='>=1.0',build=py*]", "pkg=1.0=build", "numpy=1.11", "numpy==1.11",
               "numpy >=1.0 , < 2.0 =py34_0", "blas=*=openblas", "numpy >1.8,<2|==1.7",
               "numpy # a comment", "numpy >=1.0 if python >=3", "numpy[version=\"=1.8\"]",
               "numpy >=1.0[version='<2']", "ns:numpy 1.0", "numpy(optional)", "numpy=",
               "pytorch[build_number=3, md5=abc, license=\"BSD 3\", fn=x.conda]",
               "x[ ,,version=1 junk build=a build=b]", "mkl@", "numpy[version=]", "numpy >=",
               "numpy 1.0[x] [build=2]", "*[md5=0123456789abcdef0123456789abcdef]"]


def pypi_seeds():
    """The pip readers' test pages and METADATA files (project pages also as "URL\\0page",
    see fuzz/fuzz_pypi_simple.cpp), file names and small HTML."""
    folder = os.path.join(DATA, "pypi")
    blobs = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".md"):
            continue
        with open(os.path.join(folder, name), "rb") as fh:
            blob = fh.read()
        blobs.append(blob)
        if name.endswith((".html", ".json")) and not name.startswith("index"):
            url = "https://pypi.example.org/root/prod/+simple/" + name.rsplit(".", 1)[0] + "/"
            blobs.append(url.encode() + b"\0" + blob)
    blobs += [n.encode() for n in WHEELS + SDISTS]
    blobs += [b"<a href=x>&gt;&#x3E;&#150;&ampx</a><!-- c --><script><a></script>",
              b"<base href=../y/><a href=x data-yanked data-core-metadata=sha256=ab>x</a>",
              b"file:///srv/simple/x/\0<A HREF='../../f/x-1.0.tar.gz#md5=00'>x</A>",
              b"Metadata-Version: 2.1\r\nName: a\r\n folded\rVersion: 1\nFrom x\n\nbody"]
    return blobs


def repodata_seeds():
    """The conda test repodata, the specs of its depends and constrains, and match specs in
    pairs ("spec\\0spec", see fuzz/fuzz_repodata.cpp)."""
    blobs, specs = [], list(MATCH_SPECS)
    for name in ("linux-64-repodata.json", "noarch-repodata.json"):
        with open(os.path.join(DATA, "conda", name), "rb") as fh:
            blob = fh.read()
        blobs.append(blob)
        data = json.loads(blob)
        for group in ("packages", "packages.conda"):
            for rec in data.get(group, {}).values():
                for key in ("depends", "constrains"):
                    specs += [s for s in rec.get(key) or [] if isinstance(s, str)]
    specs = list(dict.fromkeys(specs))
    blobs += [(a + "\0" + b).encode() for a, b in zip(specs, specs[1:] + specs[:1])]
    blobs.append(b'{"packages": {"a-1-0.conda": {"name": "a", "version": "1", "build": "0", '
                 b'"timestamp": 1505742645.5, "noarch": true, "depends": ["b >=1,<2"]}}}')
    return blobs


def plugins_xml_seeds():
    """The corpus plugins.xml files (libFuzzer reads their first -max_len bytes) and small
    documents for QGIS's tolerances."""
    folder = os.path.join(DATA, "plugins-xml")
    blobs = []
    for name in sorted(os.listdir(folder)):
        if name.endswith((".xml", ".XML")):
            with open(os.path.join(folder, name), "rb") as fh:
                blobs.append(fh.read())
    blobs += [b'<plugins><pyqgis_plugin name="A & B" version="1.0"><file_name>a.zip</file_name>'
              b'<download_url>https://x/a.1.0.zip?x=1&y=2</download_url></pyqgis_plugin>'
              b'</plugins>',
              b'<?xml version="1.0" encoding="ISO-8859-1"?><plugins><pyqgis_plugin name="\xe9" '
              b'version="2"/></plugins>',
              b'<plugins><pyqgis_plugin name="x" version="1"><experimental>True</experimental>'
              b'<qgis_minimum_version>3.0</qgis_minimum_version></pyqgis_plugin>']
    # Hostile shapes (tests/cli/test_hostile.py), within -max_len: deep nesting around an
    # entry and inside its text, an XML error after entries, one plugin's versions many times.
    entry = (b'<pyqgis_plugin name="D" version="1"><file_name>d.1.zip</file_name>'
             b'<description>' + b"<b>x" * 150 + b"</b>" * 150 + b'</description></pyqgis_plugin>')
    blobs += [b"<plugins>" + b"<a>" * 300 + entry + b"</a>" * 300 + b"</plugins>",
              b'<plugins><pyqgis_plugin name="A" version="1"><file_name>a.1.zip</file_name>'
              b'</pyqgis_plugin><pyqgis_plugin name="B" version="2"><file_name>b.2.zip'
              b'</file_name><description>x</descriptoin></pyqgis_plugin></plugins>',
              b"<plugins>" + b"".join(
                  b'<pyqgis_plugin name="M" version="1.%d"><file_name>m.zip</file_name>'
                  b'</pyqgis_plugin>' % (i % 7) for i in range(40)) + b"</plugins>"]
    return blobs


def qgis_settings_seeds():
    """KEY\0TEXT: the QGIS3.ini samples with keys they hold or not, and small texts for
    QSettings' escapes, duplicates, comments, line breaks and a quote left open."""
    folder = os.path.join(DATA, "qgis-settings")
    texts = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".ini"):
            with open(os.path.join(folder, name), "rb") as fh:
                texts.append(fh.read())
    texts += [b"", b"\xef\xbb\xbf[PythonPlugins]\r\nfoo=false\r\nwatchDog\\foo=true\r\n",
              b"[General]\nPythonPlugins\\f%6fo=false ; c\n[Python%50lugins]\nfoo=0\n",
              b"[PythonPlugins]\nfoo=a\\\nb\nfoo\\sub=1\n[app]\nx=\"a, b\"\n",
              b"[PythonPlugins]\rmy%U0020plugin=\r", b"[app]\nx=\"open\n", b"[x\n"]
    keys = [b"foo", b"plugA", b"my plugin", "caf\u00e9".encode(), "\U0001F600".encode()]
    return [k + b"\0" + t for t in texts for k in keys]


def site_url_seeds():
    """The URLs the site-verdict and site-link tests try (tests/python/site_verdict_cases.py)."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
    import site_verdict_cases

    return site_verdict_cases.URLS + ["https://[fe80::1%25eth0]/", "https://u:%C4%81@x/",
                                      "https://[::1.2.3.999]/", "https://\u2100@github.com/"]


def main():
    pep = lines("pep440-order.txt") + [r["input"] for r in jsonl("pep440-normalize.jsonl")]
    pep += load("versions/pep440-invalid.json")
    write("fuzz_pep440_version", [[a, b] for a, b in zip(pep, pep[1:] + pep[:1])])
    specs = [(r["specifier"], r["version"]) for r in jsonl("pep440-specifier-match.jsonl")]
    specs += [(s, "1.0") for s in load("versions/pep440-specifier-invalid.json")]
    write("fuzz_pep440_specifier", [[s, v] for s, v in specs])
    write("fuzz_pep508", pep508_seeds())
    qgis = [(p["a"], p["b"]) for p in load("qgis/derived/version_compare_vectors.json")["pairs"]]
    corpus = load("versions/corpus-versions.json")
    qgis += list(zip(corpus[::7], corpus[3::7]))
    write("fuzz_qgis", [list(p) for p in qgis])
    conda = lines("conda-order.txt") + lines("conda-order-openssl.txt") + lines("conda-order-pep440.txt")
    conda += load("versions/conda-invalid.json")
    write("fuzz_conda_version", [[a, b] for a, b in zip(conda, conda[1:] + conda[:1])])
    cspecs = [(r["spec"], r["version"]) for r in jsonl("conda-spec-match.jsonl")]
    cspecs += [(s, "1.0") for s in load("versions/conda-spec-invalid.json")]
    write("fuzz_conda_spec", [list(p) for p in cspecs])
    compat = [(c["qgis_version"], c["metadata_min"], c["metadata_max"])
              for c in load("qgis/derived/compatibility_vectors.json")["cases"]]
    write("fuzz_compat", [list(c) for c in compat])
    write_files("fuzz_metadata", metadata_seeds())
    write_files("fuzz_package", package_seeds())
    write_files("fuzz_pypi_simple", pypi_seeds())
    write_files("fuzz_repodata", repodata_seeds())
    write_files("fuzz_plugins_xml", plugins_xml_seeds())
    write_files("fuzz_qgis_settings", qgis_settings_seeds())
    write("fuzz_site_url", [[u] for u in site_url_seeds()])
    write_files("fuzz_zip_range", zip_range_seeds())
    write_files("fuzz_conda_archive", conda_archive_seeds())


if __name__ == "__main__":
    main()
