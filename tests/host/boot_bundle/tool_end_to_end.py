#!/usr/bin/env python3
"""vectra-bundle end to end: pack and list, --base, the documented test vector (checked with
Python's own SHA-256), and each refusal with its exit status; a refused pack leaves OUT as it was."""
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

tool = sys.argv[1]
failures = []


def run(*args):
    return subprocess.run([tool, *args], capture_output=True, text=True)


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what)


with tempfile.TemporaryDirectory() as work:
    def path(name):
        return os.path.join(work, name)

    def write(name, data):
        with open(path(name), "wb") as f:
            f.write(data)
        return path(name)

    hello = write("hello", b"hello\n")
    empty = write("empty", b"")
    big = write("big", os.urandom(10000))

    # The test vector of docs/boot_bundle.md.
    result = run("pack", path("vector.img"), f"hello={hello}", f"empty={empty}")
    check(result.returncode == 0, f"pack the test vector: {result.stderr}")
    data = open(path("vector.img"), "rb").read()
    check(hashlib.sha256(data).hexdigest() == "d43facd81f8a3c8a31e2e01c52c817b27414af5a104186982714bcc33a381a14",
          "test vector SHA-256")
    magic, version, count, size, entry_size, reserved = struct.unpack_from("<8sIIQII", data)
    check((magic, version, count, size, entry_size, reserved) == (b"VECTRABB", 1, 2, 8192, 80, 0), "test vector header")

    result = run("list", path("vector.img"))
    check(result.returncode == 0 and "hello" in result.stdout and hashlib.sha256(b"hello\n").hexdigest() in result.stdout,
          f"list: {result.stdout} {result.stderr}")

    # --base keeps the base's programs first, in order, and adds the new ones.
    result = run("pack", path("more.img"), "--base", path("vector.img"), f"big={big}")
    check(result.returncode == 0, f"pack --base: {result.stderr}")
    listing = run("list", path("more.img")).stdout.splitlines()
    check([line.split()[0] for line in listing[1:]] == ["hello", "empty", "big"], f"--base order: {listing}")

    # A corrupted program: list names it and fails; --base refuses to copy it.
    corrupt = bytearray(open(path("more.img"), "rb").read())
    corrupt[4096] ^= 1  # first byte of "hello"
    write("corrupt.img", bytes(corrupt))
    result = run("list", path("corrupt.img"))
    check(result.returncode == 1 and "CORRUPT" in result.stdout, f"list of a corrupt bundle: {result.stdout}")
    result = run("pack", path("x.img"), "--base", path("corrupt.img"))
    check(result.returncode == 1 and "program hello" in result.stderr, f"--base of a corrupt bundle: {result.stderr}")

    # Refusals, each with exit status 1 and the reason; OUT untouched.
    before = open(path("vector.img"), "rb").read()
    for args, reason in [
        ([f"hello={hello}", f"hello={empty}"], 'two programs are named "hello"'),
        ([f"bad name={hello}"], "outside [A-Za-z0-9._-]"),
        ([f".hidden={hello}"], "start with a letter or digit"),
        ([f"{'n' * 33}={hello}"], "longer than 32"),
        ([f"missing={path('nothing-here')}"], "nothing-here"),
        (["--base", path("nothing-here")], "nothing-here"),
        (["--base", big], "not a boot bundle"),
        (["--base", hello], "truncated header"),
    ]:
        result = run("pack", path("vector.img"), *args)
        check(result.returncode == 1 and reason in result.stderr, f"pack {args}: {result.returncode} {result.stderr}")
    check(open(path("vector.img"), "rb").read() == before, "a refused pack leaves OUT unchanged")
    write("truncated.img", before[:5000])
    result = run("list", path("truncated.img"))
    check(result.returncode == 1 and "truncated" in result.stderr, f"list of a truncated bundle: {result.stderr}")

    # Usage errors: exit status 2.
    for args in [[], ["frobnicate"], ["pack"], ["list"], ["pack", path("y.img"), "no-equals-sign"], ["pack", path("y.img"), "--base"]]:
        check(run(*args).returncode == 2, f"usage error for {args}")

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
