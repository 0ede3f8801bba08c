#!/usr/bin/env python3
"""./vectra bench boot: time from starting QEMU to VectraOS's banner and to the end of its
in-OS tests, per architecture and accelerator (median of several runs). Beside it, where a
Debian Linux kernel is installed, the same QEMU booting Linux to its first console line and to
the end of its kernel init (the panic for want of a root file system), as a baseline."""
import argparse
import glob
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "host", "qemu"))
import qemu  # noqa: E402

BANNER = r"^VectraOS \S+ \("
SUMMARY = r"^\d+ passed, \d+ failed"
LINUX_FIRST = r"Linux version"
LINUX_END = r"Kernel panic - not syncing|Run /init|VFS: Unable to mount"

LINUX_KERNELS = {"x86_64": "/boot/vmlinuz-*-amd64", "aarch64": "/boot/vmlinuz-*-arm64"}
LINUX_CONSOLE = {"x86_64": "console=ttyS0", "aarch64": "console=ttyAMA0"}


def median_marks(command, runs, patterns, timeout):
    samples = {pattern: [] for pattern in patterns}
    for _ in range(runs):
        _, _, _, marks = qemu.run_captured(command, timeout, echo=False, stop_when=patterns)
        for pattern in patterns:
            if pattern in marks:
                samples[pattern].append(marks[pattern])
    return [statistics.median(samples[p]) if samples[p] else None for p in patterns]


def seconds(value):
    return f"{value * 1000:8.0f} ms" if value is not None else "     n/a"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", required=True)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()

    print(f"boot times, median of {arguments.runs} runs (QEMU start → banner → in-OS tests done)")
    print(f"{'system':10} {'arch':8} {'accel':5} {'to banner':>11} {'to the end':>11}")
    for arch in qemu.ARCHITECTURES:
        accelerators = ["tcg"]
        if arch == qemu.HOST_ARCH and qemu.kvm_usable():
            accelerators.append("kvm")
        for accel in accelerators:
            command = qemu.qemu_command(arguments.build, arch, accel, append="test")
            banner, end = median_marks(command, arguments.runs, [BANNER, SUMMARY], 120)
            print(f"{'VectraOS':10} {arch:8} {accel:5} {seconds(banner):>11} {seconds(end):>11}")
            linux = sorted(glob.glob(LINUX_KERNELS[arch]))
            if not linux:
                print(f"{'Linux':10} {arch:8} {accel:5}  (no Debian kernel in /boot: install "
                      f"linux-image-{'amd64' if arch == 'x86_64' else 'arm64:arm64'} for the baseline)")
                continue
            spec = qemu.ARCHITECTURES[arch]
            linux_command = [spec["qemu"], *spec["machine"], "-accel", accel, "-cpu", spec["cpu"][accel],
                             "-smp", "2", "-m", "512M", "-kernel", linux[-1], "-no-reboot",
                             "-append", LINUX_CONSOLE[arch] + " panic=-1", "-display", "none",
                             "-serial", "stdio", "-monitor", "none"]
            first, done = median_marks(linux_command, arguments.runs, [LINUX_FIRST, LINUX_END], 60)
            print(f"{'Linux':10} {arch:8} {accel:5} {seconds(first):>11} {seconds(done):>11}"
                  "   (first line; end of kernel init)")


if __name__ == "__main__":
    main()
