#!/usr/bin/python3
"""Writes the fuzz targets' seed corpora (fuzz/seeds/<target>/) from the test vectors.
Parts of one input are separated by NUL bytes (see fuzz/fuzz_input.hpp)."""
import hashlib
import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DATA = os.path.join(ROOT, "tests", "data")
SEEDS = os.path.join(ROOT, "fuzz", "seeds")


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
    return blobs


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


if __name__ == "__main__":
    main()
