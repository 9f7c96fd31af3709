# SPDX-License-Identifier: GPL-2.0-or-later
"""Conda channels on disk for the tests of plugins distributed as conda packages
(docs/index-sources.md, "Plugins as wheels and conda packages"): real package archives as
conda-build writes them, a `.tar.bz2` (one bzip2 tarball with info/ and the payload, written
with tarfile) or a `.conda` (a stored ZIP holding metadata.json, info-*.tar.zst and
pkg-*.tar.zst, compressed by Debian's zstd command or python3-zstandard), and each subdir's
repodata.json listing them."""
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import zipfile

from plugin_wheels import INIT_PY, metadata_txt

TIMESTAMP = 1700000000000  # milliseconds, as repodata.json writes it


def zstd_compress(data):
    try:
        import zstandard
        return zstandard.ZstdCompressor(level=3).compress(data)
    except ImportError:
        pass
    zstd = shutil.which("zstd")
    if zstd is None:
        raise RuntimeError("neither python3-zstandard nor the zstd command (scripts/setup-deps)")
    return subprocess.run([zstd, "-q", "-c", "-3"], input=data, capture_output=True,
                          check=True).stdout


def tar_bytes(files, compression=""):
    """A tarball of {path: bytes} ('path/' for a directory; a (bytes, mode) tuple for a mode;
    ('symlink', target) for a link)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:" + compression, format=tarfile.PAX_FORMAT) as t:
        for path, content in files.items():
            info = tarfile.TarInfo(path.rstrip("/"))
            info.mtime = TIMESTAMP // 1000
            if path.endswith("/"):
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                t.addfile(info)
            elif isinstance(content, tuple) and content[0] == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, content[1]
                t.addfile(info)
            else:
                data, mode = content if isinstance(content, tuple) else (content, 0o644)
                info.size, info.mode = len(data), mode
                t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def package_bytes(record, files, fmt):
    """The archive of a package: `files` ({path: bytes}) as its payload, info/ from `record`."""
    info = {"info/index.json": json.dumps(record, indent=2, sort_keys=True).encode(),
            "info/files": "".join(p + "\n" for p in files if not p.endswith("/")).encode()}
    if fmt == "tar.bz2":
        return tar_bytes({**info, **files}, "bz2")
    stem = f"{record['name']}-{record['version']}-{record['build']}"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("metadata.json", json.dumps({"conda_pkg_format_version": 2}))
        z.writestr(f"pkg-{stem}.tar.zst", zstd_compress(tar_bytes(files)))
        z.writestr(f"info-{stem}.tar.zst", zstd_compress(tar_bytes(info)))
    return buf.getvalue()


class Channel:
    """A conda channel in `folder`: add packages, then write() each subdir's repodata.json."""

    def __init__(self, folder):
        self.folder = folder
        self.subdirs = {"noarch": {}, "linux-64": {}}

    def add(self, name, version, build, files, depends=(), fmt="tar.bz2", subdir="noarch"):
        """Writes the package file; returns its path."""
        record = {"name": name, "version": version, "build": build, "build_number": 0,
                  "depends": list(depends), "subdir": subdir, "timestamp": TIMESTAMP,
                  "license": "GPL-2.0-or-later"}
        if subdir == "noarch":
            record["noarch"] = "python"
        data = package_bytes(record, files, fmt)
        record.update(md5=hashlib.md5(data).hexdigest(), sha256=hashlib.sha256(data).hexdigest(),
                      size=len(data))
        filename = f"{name}-{version}-{build}.{fmt}"
        os.makedirs(os.path.join(self.folder, subdir), exist_ok=True)
        path = os.path.join(self.folder, subdir, filename)
        with open(path, "wb") as fh:
            fh.write(data)
        key = "packages.conda" if fmt == "conda" else "packages"
        self.subdirs[subdir].setdefault(key, {})[filename] = record
        return path

    def add_plugin(self, name, version, key, display_name, depends=(), fmt="tar.bz2",
                   deps=None, more=None):
        """A noarch python package whose one module `key` is a QGIS plugin (files under
        site-packages/, with the .dist-info conda-build's pip install leaves beside it)."""
        dist = f"site-packages/{name.replace('-', '_')}-{version}.dist-info"
        files = {f"site-packages/{key}/": b"",
                 f"site-packages/{key}/__init__.py": INIT_PY.encode(),
                 f"site-packages/{key}/metadata.txt":
                     metadata_txt(display_name, version, deps=deps).encode(),
                 f"site-packages/{key}/LICENSE": b"GPL-2.0-or-later\n",
                 f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\n"
                                     f"Version: {version}\n".encode(),
                 f"{dist}/INSTALLER": b"conda\n"}
        for path, content in (more or {}).items():
            files[path] = content.encode() if isinstance(content, str) else content
        return self.add(name, version, "pyhd8ed1ab_0", files, depends, fmt)

    def write(self):
        for subdir, maps in self.subdirs.items():
            os.makedirs(os.path.join(self.folder, subdir), exist_ok=True)
            body = {"info": {"subdir": subdir}, "packages": maps.get("packages", {}),
                    "packages.conda": maps.get("packages.conda", {}), "repodata_version": 1}
            with open(os.path.join(self.folder, subdir, "repodata.json"), "w") as fh:
                json.dump(body, fh, indent=1, sort_keys=True)
