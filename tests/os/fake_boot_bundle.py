#!/usr/bin/env python3
"""Boots the in-OS boot-bundle and frame-allocator tests with a fake boot bundle as QEMU's
-initrd: SIZE bytes (not a whole number of pages), each a function of its offset, so the
kernel can check that BootInfo names exactly the range the loader filled.
Usage: fake_boot_bundle.py QEMU_PY BUILD ARCH SIZE [qemu.py check options...]"""
import os
import subprocess
import sys


def byte_at(offset):
    """The fake bundle's byte at `offset` (tests/os/boot_bundle_test.cpp computes the same)."""
    return ((offset * 0x9E3779B97F4A7C15) % (1 << 64)) >> 56


def main():
    qemu_py, build, arch, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    path = os.path.join(build, "tests", "os", f"fake-boot-bundle-{arch}.img")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as out:
        out.write(bytes(byte_at(offset) for offset in range(size)))
    # The two tests whose names contain "boot_bundle".
    command = [sys.executable, qemu_py, "--build", build, "check", "--arch", arch, "--mode", "test",
               "--initrd", path, "--append", f"test=boot_bundle fake-boot-bundle={size}", *sys.argv[5:]]
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
