#!/usr/bin/env python3
"""./vectra bench boot: time from starting QEMU to VectraOS's banner and to the end of its
in-OS tests, per architecture and accelerator (median of several runs). Beside it, the same
QEMU booting Debian's Linux kernel (installed when missing, see linux_guest.py) to its first
console line and to the end of its kernel init (the panic for want of a root file system)."""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "host", "qemu"))
import linux_guest  # noqa: E402
import qemu  # noqa: E402

BANNER = r"^VectraOS \S+ \("
SUMMARY = r"^\d+ passed, \d+ failed"
LINUX_FIRST = r"Linux version"
LINUX_END = r"Kernel panic - not syncing|Run /init|VFS: Unable to mount"


def median_marks(command, runs, patterns, timeout):
    samples = {pattern: [] for pattern in patterns}
    for _ in range(runs):
        _, _, _, marks = qemu.run_captured(command, timeout, echo=False, stop_when=patterns)
        for pattern in patterns:
            if pattern in marks:
                samples[pattern].append(marks[pattern])
        if not marks:
            break  # nothing in time (e.g. Linux on a slow nested KVM): the next run is no different
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
        try:
            linux, why = linux_guest.ensure_kernel(arch), None
        except RuntimeError as error:
            linux, why = None, str(error)
        accelerators = ["tcg"]
        if arch == qemu.HOST_ARCH and qemu.kvm_usable():
            accelerators.append("kvm")
        for accel in accelerators:
            command = qemu.qemu_command(arguments.build, arch, accel, append="test")
            banner, end = median_marks(command, arguments.runs, [BANNER, SUMMARY], 120)
            print(f"{'VectraOS':10} {arch:8} {accel:5} {seconds(banner):>11} {seconds(end):>11}")
            if not linux:
                print(f"{'Linux':10} {arch:8} {accel:5}  (no baseline: {why})")
                continue
            linux_command = linux_guest.qemu_command(arch, accel, linux, "panic=-1")
            first, done = median_marks(linux_command, arguments.runs, [LINUX_FIRST, LINUX_END], 60)
            print(f"{'Linux':10} {arch:8} {accel:5} {seconds(first):>11} {seconds(done):>11}"
                  "   (first line; end of kernel init)")


if __name__ == "__main__":
    main()
