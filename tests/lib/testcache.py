# SPDX-License-Identifier: MIT
"""A cache for what tests compute from fixed inputs with other tools: captures
that tests/scengen generates from a scenario, and tshark's answers on a given
file. Keyed by the content of every input (the scenario and the generator's
sources; the capture's bytes, the command line and tshark's version), so a
changed input is a miss, never a stale answer. deadair's own output is never
cached. Active only when DEADAIR_TEST_CACHE names a directory (scripts/test.sh
sets it, so the sanitizer pass reuses what the first pass computed)."""
import hashlib
import os
import subprocess
import tempfile

_DIR = os.environ.get("DEADAIR_TEST_CACHE")
_tshark_version = None


def enabled():
    return bool(_DIR)


def key(*parts):
    h = hashlib.sha256()
    for p in parts:
        if isinstance(p, str):
            p = p.encode("utf-8", "surrogateescape")
        h.update(len(p).to_bytes(8, "big"))
        h.update(p)
    return h.hexdigest()


def file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def get(k):
    """The cached bytes for key k, or None."""
    if not _DIR:
        return None
    try:
        with open(os.path.join(_DIR, k[:2], k), "rb") as f:
            return f.read()
    except OSError:
        return None


def put(k, data):
    if not _DIR:
        return
    d = os.path.join(_DIR, k[:2])
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, os.path.join(d, k))  # atomic: tests running at once may race


def tshark_version():
    global _tshark_version
    if _tshark_version is None:
        p = subprocess.run(["tshark", "--version"], capture_output=True)
        _tshark_version = p.stdout.split(b"\n", 1)[0].decode("utf-8", "replace")
    return _tshark_version


def tshark_run(path, args, timeout=600):
    """(exit status, stdout, stderr) of `tshark -r path ARGS...` (bytes),
    cached by the file's content, the arguments and tshark's version when
    tshark succeeded."""
    k = None
    if _DIR:
        k = key("tshark", tshark_version(), file_digest(path), *args)
        got = get(k)
        if got is not None:
            return 0, got, b""
    p = subprocess.run(["tshark", "-r", path] + list(args), capture_output=True, timeout=timeout)
    if k and p.returncode == 0:
        put(k, p.stdout)
    return p.returncode, p.stdout, p.stderr


def tshark(path, args, timeout=600):
    """stdout of `tshark -r path ARGS...` (bytes), whatever its exit status."""
    return tshark_run(path, args, timeout)[1]
