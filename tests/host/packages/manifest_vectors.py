#!/usr/bin/env python3
"""The manifest test vectors of docs/packages.md, computed independently of the C++ code: the
encoding written out from the spec with struct and hashlib. Prints each vector; with
--check DOC, fails unless DOC holds every line printed (so the document, this script and the
unit test that pins the same bytes — manifest_release_test.cpp — cannot drift apart)."""
import hashlib
import struct
import sys

CHUNK = 1 << 20


def file_entry(path, mode, content):
    path = path.encode("utf-8")
    chunks = [content[i:i + CHUNK] for i in range(0, len(content), CHUNK)]
    return (path, struct.pack(">H", len(path)) + path + struct.pack(">IQ", mode, len(content)) +
            hashlib.sha256(content).digest() + b"".join(hashlib.sha256(c).digest() for c in chunks))


def manifest(files, dependencies=()):
    entries = sorted(file_entry(*f) for f in files)  # bytewise by path
    out = b"VXPM" + bytes([1, 0, 0, 0]) + struct.pack(">I", len(entries))
    out += b"".join(entry for _, entry in entries)
    out += struct.pack(">I", len(dependencies)) + b"".join(sorted(dependencies))
    return out


def vectors():
    one = manifest([("a.txt", 0o644, b"hello\n")])
    tool = bytes((i * 31 + 7) % 256 for i in range(CHUNK + 1))
    two = manifest([("bin/tool", 0o750, tool), ("docs/caf\u00e9.txt", 0o600, b"x")],
                   dependencies=[hashlib.sha256(one).digest()])
    return [("vector 1", one), ("vector 2", two)]


lines = []
for name, encoded in vectors():
    lines.append(f"{name} manifest: {encoded.hex()}")
    lines.append(f"{name} package: {hashlib.sha256(encoded).hexdigest()}")
if len(sys.argv) == 3 and sys.argv[1] == "--check":
    text = open(sys.argv[2], encoding="utf-8").read()
    missing = [line for line in lines if line not in text]
    for line in missing:
        print("not in", sys.argv[2] + ":", line)
    print("vectors", "match the document" if not missing else "DIFFER from the document")
    sys.exit(1 if missing else 0)
print("\n".join(lines))
