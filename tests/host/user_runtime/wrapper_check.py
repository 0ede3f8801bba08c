#!/usr/bin/env python3
"""The typed syscall wrappers (user/runtime/syscalls.h) stay in step with lib/abi/abi.h at
compile time: the unchanged header compiles for both user targets, and each of these damages to
a copy of the header must fail to compile —
  a syscall added to VECTRA_SYSCALL_LIST without a wrapper,
  a syscall's argument count changed (its raw stub no longer takes the wrapper's arguments),
  a status added without user/runtime/sys_result.h mapping it to a base::Error.
The copy shadows the real header on the include path; nothing in the tree is modified.

    wrapper_check.py --compiler clang++-19 --source-root .
"""
import argparse
import os
import subprocess
import sys
import tempfile

PROGRAM = '#include "user/runtime/syscalls.h"\nint probe() { return vectra::sys::clock_now() != 0; }\n'


def compiles(compiler, source_root, header_text, target):
    with tempfile.TemporaryDirectory() as directory:
        os.makedirs(os.path.join(directory, "abi"))
        with open(os.path.join(directory, "abi", "abi.h"), "w") as file:
            file.write(header_text)
        source = os.path.join(directory, "probe.cpp")
        with open(source, "w") as file:
            file.write(PROGRAM)
        command = [compiler, f"--target={target}", "-std=c++23", "-ffreestanding", "-nostdlibinc", "-fno-exceptions",
                   "-fno-rtti", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
                   f"-I{directory}", f"-I{os.path.join(source_root, 'lib')}", f"-I{source_root}", source]
        result = subprocess.run(command, capture_output=True, text=True)
        return result.returncode == 0, result.stderr


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compiler", required=True)
    parser.add_argument("--source-root", required=True)
    arguments = parser.parse_args()
    with open(os.path.join(arguments.source_root, "lib", "abi", "abi.h")) as file:
        header = file.read()

    def damaged(old, new):
        if old not in header:
            raise SystemExit(f"wrapper_check: cannot find {old!r} in lib/abi/abi.h to damage")
        return header.replace(old, new, 1)

    damages = {
        "a syscall without a wrapper": damaged("X(clock_now, 70, 0)", "X(clock_now, 70, 0) X(clock_set, 71, 1)"),
        "an argument count changed": damaged("X(ring_send, 21, 3)", "X(ring_send, 21, 4)"),
        "a status without an error mapping": damaged('X(Unsupported, 17, "this architecture or object does not offer it")',
                                                     'X(Unsupported, 17, "this architecture or object does not offer it") '
                                                     'X(Busy, 18, "busy")'),
    }
    failures = []
    for target in ("x86_64-unknown-none-elf", "aarch64-unknown-none-elf"):
        ok, errors = compiles(arguments.compiler, arguments.source_root, header, target)
        if not ok:
            failures.append(f"{target}: the unchanged header does not compile with the wrappers:\n{errors}")
            continue
        for what, text in damages.items():
            ok, _ = compiles(arguments.compiler, arguments.source_root, text, target)
            if ok:
                failures.append(f"{target}: {what} still compiles")
    for failure in failures:
        print(f"wrapper_check: {failure}")
    if not failures:
        print(f"wrapper_check: the wrappers compile against the header, and all {len(damages)} damages fail to, on both targets")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
