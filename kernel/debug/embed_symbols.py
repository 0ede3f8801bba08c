#!/usr/bin/env python3
"""Writes the kernel's function symbols into its reserved .kernel_symbols section, in place.

Runs after every link. The section keeps its size, so nothing in the image moves; the format
is described in kernel/debug/symbols.h. Names are demangled and shortened so that the table
fits; a table that does not fit is an error (raise the reserved size in symbols.cpp).
"""
import argparse
import struct
import subprocess
import sys

SECTION = ".kernel_symbols"
MAX_NAME = 160


def find_section(image: bytes, name: str):
    if image[:4] != b"\x7fELF" or image[4] != 2 or image[5] != 1:
        sys.exit("embed_symbols: not a little-endian ELF64 file")
    shoff, = struct.unpack_from("<Q", image, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", image, 0x3A)
    def header(index):
        return struct.unpack_from("<IIQQQQIIQQ", image, shoff + index * shentsize)
    names_offset = header(shstrndx)[4]
    for index in range(shnum):
        sh_name, sh_type, _, _, offset, size = header(index)[:6]
        end = image.index(b"\0", names_offset + sh_name)
        if image[names_offset + sh_name:end].decode() == name:
            if sh_type != 1:  # SHT_PROGBITS: the bytes must be in the file
                sys.exit(f"embed_symbols: {name} is not PROGBITS (type {sh_type})")
            return offset, size
    sys.exit(f"embed_symbols: the image has no {name} section")


def function_symbols(nm: str, path: str):
    output = subprocess.run([nm, "-n", "-S", "-C", "--defined-only", path],
                            check=True, capture_output=True, text=True).stdout
    symbols = {}
    for line in output.splitlines():
        parts = line.split(" ", 3)
        if len(parts) == 4:
            address, size, kind, name = parts
        else:
            continue
        if kind not in "TtWw":
            continue
        address = int(address, 16)
        name = name if len(name) <= MAX_NAME else name[:MAX_NAME - 3] + "..."
        # Keep one name per address (the first, usually the non-alias one).
        symbols.setdefault(address, (int(size, 16), name))
    return sorted((address, size, name) for address, (size, name) in symbols.items())


def build_table(symbols):
    strings = bytearray()
    entries = bytearray()
    for address, size, name in symbols:
        entries += struct.pack("<QII", address, min(size, 0xFFFFFFFF), len(strings))
        strings += name.encode("utf-8", "replace") + b"\0"
    if not strings:
        strings = bytearray(b"\0")
    header_size = 24
    strings_offset = header_size + len(entries)
    header = b"KSYM" + struct.pack("<IIIII", 1, len(symbols), strings_offset, len(strings), 0)
    return header + entries + strings


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nm", required=True)
    parser.add_argument("--objcopy", help="unused; kept for symmetry with the build")
    parser.add_argument("image")
    arguments = parser.parse_args()

    with open(arguments.image, "rb") as file:
        image = bytearray(file.read())
    offset, size = find_section(image, SECTION)
    table = build_table(function_symbols(arguments.nm, arguments.image))
    if len(table) > size:
        sys.exit(f"embed_symbols: symbol table needs {len(table)} bytes, {SECTION} has {size}")
    image[offset:offset + size] = table + bytes(size - len(table))
    with open(arguments.image, "wb") as file:
        file.write(image)


if __name__ == "__main__":
    main()
