"""Writes tiny pure-Python wheels for tests that need a real pip install or resolution offline.

A wheel is a zip with the package, METADATA, WHEEL and RECORD (sha256 of each file); writing it with
zipfile needs no build backend or network, so pip installs and resolves it exactly as a published one.
Usage: make_wheel.py OUT_DIR NAME:VERSION[:REQUIRES_PYTHON] ...
"""
import base64
import hashlib
import os
import sys
import zipfile


def make(out, name, version, requires_python=None):
    module = name.replace("-", "_")
    dist = "%s-%s.dist-info" % (module, version)
    metadata = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)
    if requires_python:
        metadata += "Requires-Python: %s\n" % requires_python
    files = {
        "%s/__init__.py" % module: "VERSION = %r\n" % version,
        dist + "/METADATA": metadata,
        dist + "/WHEEL": "Wheel-Version: 1.0\nGenerator: make_wheel.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    path = os.path.join(out, "%s-%s-py3-none-any.whl" % (module, version))
    with zipfile.ZipFile(path, "w") as z:
        for f, text in files.items():
            data = text.encode()
            z.writestr(f, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (f, digest, len(data)))
        record.append(dist + "/RECORD,,")
        z.writestr(dist + "/RECORD", "\n".join(record) + "\n")
    return path


if __name__ == "__main__":
    os.makedirs(sys.argv[1], exist_ok=True)
    for arg in sys.argv[2:]:
        parts = arg.split(":", 2)
        print(make(sys.argv[1], *parts))
