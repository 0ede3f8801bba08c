#!/usr/bin/env python3
"""The freeze defence end to end with the real `vectra` binary: the Person allows a machine to
sign timestamps (a fleet statement), that machine signs one over its store, a receiver with
the same fleet log fetches while it is fresh, and a frozen copy of the mirror is refused once
its timestamp expires (unless --allow-stale), for pkg fetch and for fleet sync alike. Directory
mirrors only: seconds, no network."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

VECTRA = sys.argv[1]
failures = []


def run(*arguments, words=None, expect=0):
    result = subprocess.run([VECTRA, *arguments], input=words, capture_output=True, text=True, timeout=60)
    if expect is not None and result.returncode != expect:
        failures.append(f"{' '.join(arguments)}: exit {result.returncode}, expected {expect}\n{result.stdout}{result.stderr}")
    return result.stdout + result.stderr


def check(condition, message):
    if not condition:
        failures.append(message)


with tempfile.TemporaryDirectory() as root:
    builder, receiver, source = (os.path.join(root, name) for name in ("builder", "receiver", "source"))
    created = run("person", "new", "--print-words-to-non-terminal")
    words = " ".join(re.findall(r"\d+ ([a-z]+)", "\n".join(l for l in created.splitlines() if re.match(r"^\s+\d+ [a-z]", l))))
    run("machine", "--state-dir", builder, "init", "--name", "builder")
    run("machine", "--state-dir", builder, "enroll", "--new-fleet", words=words)
    os.makedirs(source)
    open(os.path.join(source, "README"), "w").write("version one\n")
    manifest = re.search(r"package ([0-9a-f]{64})", run("pkg", "--state-dir", builder, "build", source)).group(1)
    run("pkg", "--state-dir", builder, "release", "demo", "1.0.0", manifest)

    answer = run("pkg", "--state-dir", builder, "timestamp", "sign", expect=1)
    check("may not sign timestamps" in answer, f"sign without the grant: {answer}")
    answer = run("fleet", "--state-dir", builder, "show")
    check("timestamp signers: none" in answer, f"fleet show before any grant: {answer}")
    answer = run("pkg", "--state-dir", builder, "timestamp", "allow", "builder", words=words)
    check("builder may now sign timestamps" in answer, f"allow: {answer}")
    # fleet show lists the grant: which machine, since when, by which statement.
    answer = run("fleet", "--state-dir", builder, "show")
    check(re.search(r"timestamp signers .*:\n  builder since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(statement 2\)\n", answer),
          f"fleet show lists the grant: {answer}")
    answer = run("pkg", "--state-dir", builder, "timestamp", "sign", "--expires-in", "3")
    check("timestamp: 1 packages" in answer, f"sign: {answer}")

    run("machine", "--state-dir", receiver, "init", "--name", "receiver")
    for name in ("fleet.log", "fleet.head"):
        shutil.copy(os.path.join(builder, name), os.path.join(receiver, name))
    mirror = os.path.join(builder, "store")
    frozen = os.path.join(root, "frozen")
    shutil.copytree(mirror, frozen)  # this mirror stops here
    answer = run("pkg", "--state-dir", receiver, "fetch", frozen, "demo")
    check("fetched demo 1.0.0" in answer, f"fetch while fresh: {answer}")
    # The fleet log travels in the same mirror; fleet sync checks the same timestamp.
    run("fleet", "--state-dir", builder, "publish", frozen)
    answer = run("fleet", "--state-dir", receiver, "sync", frozen)
    check("up to date" in answer, f"fleet sync while fresh: {answer}")

    open(os.path.join(source, "README"), "w").write("version two\n")
    manifest = re.search(r"package ([0-9a-f]{64})", run("pkg", "--state-dir", builder, "build", source)).group(1)
    run("pkg", "--state-dir", builder, "release", "demo", "2.0.0", manifest)
    time.sleep(3.5)
    answer = run("pkg", "--state-dir", receiver, "fetch", frozen, "demo", expect=1)
    check("expired" in answer and "withholding" in answer, f"frozen mirror after expiry: {answer}")
    answer = run("pkg", "--state-dir", receiver, "fetch", frozen, "demo", "--allow-stale")
    check("--allow-stale: not checking" in answer and "already here" in answer, f"--allow-stale: {answer}")
    answer = run("fleet", "--state-dir", receiver, "sync", frozen, expect=1)
    check("expired" in answer and "unchanged" in answer, f"fleet sync from the frozen mirror after expiry: {answer}")
    answer = run("fleet", "--state-dir", receiver, "sync", frozen, "--allow-stale")
    check("--allow-stale: not checking" in answer and "up to date" in answer, f"fleet sync --allow-stale: {answer}")
    run("pkg", "--state-dir", builder, "timestamp", "sign", "--expires-in", "600")
    answer = run("pkg", "--state-dir", receiver, "fetch", mirror, "demo")
    check("fetched demo 2.0.0" in answer, f"fetch from the fresh mirror: {answer}")
    run("fleet", "--state-dir", builder, "publish", mirror)
    answer = run("fleet", "--state-dir", receiver, "sync", mirror)
    check("up to date" in answer or "new statements" in answer, f"fleet sync from the fresh mirror: {answer}")

for failure in failures:
    print("FAILED:", failure)
print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
