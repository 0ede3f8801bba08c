#!/usr/bin/env python3
"""Writes the Linux baseline's initramfs: a newc cpio archive (the format the kernel unpacks
into its root file system before running /init) holding the benchmark program as /init, a
/dev/console node for its console, and empty /sys and /proc to mount on.

newc, as the kernel's early-userspace docs describe it: each entry is the ASCII magic "070701",
thirteen 8-digit hexadecimal fields (inode, mode, uid, gid, nlink, mtime, file size, device
major and minor, rdev major and minor, name size including its NUL, checksum 0), the name and
its NUL padded to a multiple of 4 bytes, then the data padded likewise. "TRAILER!!!" ends it.
Every timestamp is 0 and owners are root, so the same program always gives the same archive."""
import argparse
import stat
import sys

MAGIC = b"070701"
TRAILER = "TRAILER!!!"


def _pad(length):
    return b"\0" * (-length % 4)


def entry(inode, name, mode, data=b"", rdev=(0, 0), nlink=1):
    """One newc entry: header, name (padded), data (padded)."""
    encoded_name = name.encode() + b"\0"
    fields = [inode, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(encoded_name), 0]
    header = MAGIC + b"".join(b"%08x" % field for field in fields)
    return header + encoded_name + _pad(len(header) + len(encoded_name)) + data + _pad(len(data))


def archive(init_program):
    """The whole initramfs for `init_program` (the bytes of a static executable)."""
    members = [
        ("dev", stat.S_IFDIR | 0o755, b"", (0, 0), 2),
        ("dev/console", stat.S_IFCHR | 0o600, b"", (5, 1), 1),  # the kernel's console device
        ("proc", stat.S_IFDIR | 0o555, b"", (0, 0), 2),
        ("sys", stat.S_IFDIR | 0o555, b"", (0, 0), 2),
        ("init", stat.S_IFREG | 0o755, init_program, (0, 0), 1),
    ]
    out = bytearray()
    for inode, (name, mode, data, rdev, nlink) in enumerate(members, start=1):
        out += entry(inode, name, mode, data, rdev, nlink)
    out += entry(0, TRAILER, 0)
    return bytes(out)


def read_entries(data):
    """Parses a newc archive back into (name, mode, rdev, data) tuples; raises ValueError on a
    malformed one. The tests use it to check what `archive` wrote."""
    entries, offset = [], 0
    while True:
        if data[offset:offset + 6] != MAGIC:
            raise ValueError(f"no newc magic at offset {offset}")
        fields = [int(data[offset + 6 + 8 * i: offset + 14 + 8 * i], 16) for i in range(13)]
        mode, size, name_size = fields[1], fields[6], fields[11]
        name_start = offset + 110
        name = data[name_start:name_start + name_size - 1].decode()
        if data[name_start + name_size - 1] != 0:
            raise ValueError(f"entry {name!r}: name is not NUL-terminated")
        data_start = name_start + name_size + (-(110 + name_size) % 4)
        body = data[data_start:data_start + size]
        if len(body) != size:
            raise ValueError(f"entry {name!r}: truncated data")
        if name == TRAILER:
            return entries
        entries.append((name, mode, (fields[9], fields[10]), body))
        offset = data_start + size + (-size % 4)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--init", required=True, help="the static program to run as /init")
    parser.add_argument("--output", required=True)
    arguments = parser.parse_args()
    with open(arguments.init, "rb") as program:
        image = archive(program.read())
    with open(arguments.output, "wb") as output:
        output.write(image)
    return 0


if __name__ == "__main__":
    sys.exit(main())
