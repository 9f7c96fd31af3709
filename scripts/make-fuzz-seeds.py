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
        os.remove(os.path.join(folder, old))
    for parts in inputs:
        blob = "\0".join(parts).encode("utf-8")
        name = hashlib.sha1(blob).hexdigest()[:16]
        with open(os.path.join(folder, name), "wb") as fh:
            fh.write(blob)
    print(f"{target}: {len(inputs)} seeds")


def main():
    pep = lines("pep440-order.txt") + [r["input"] for r in jsonl("pep440-normalize.jsonl")]
    pep += load("versions/pep440-invalid.json")
    write("fuzz_pep440_version", [[a, b] for a, b in zip(pep, pep[1:] + pep[:1])])
    specs = [(r["specifier"], r["version"]) for r in jsonl("pep440-specifier-match.jsonl")]
    specs += [(s, "1.0") for s in load("versions/pep440-specifier-invalid.json")]
    write("fuzz_pep440_specifier", [[s, v] for s, v in specs])
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


if __name__ == "__main__":
    main()
