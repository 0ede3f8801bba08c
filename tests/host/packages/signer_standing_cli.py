#!/usr/bin/env python3
"""Whether a release's signer stands, as the pkg commands show it, with the real `vectra`
binary and nothing else (no mirror, no network): `pkg release` refuses on a revoked machine
and warns on an unenrolled one; on a receiver that holds a release by a machine revoked since,
`pkg cat` refuses it and `pkg ls` flags it, while a release by a machine that stands is
served and listed plainly. Each check is one assertion here, so breaking it shows which."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

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
    path = lambda *parts: os.path.join(root, *parts)
    created = run("person", "new", "--print-words-to-non-terminal")
    words = " ".join(re.findall(r"\d+ ([a-z]+)", "\n".join(l for l in created.splitlines() if re.match(r"^\s+\d+ [a-z]", l))))
    run("machine", "--state-dir", path("builder"), "init", "--name", "builder")
    run("machine", "--state-dir", path("builder"), "enroll", "--new-fleet", words=words)
    os.makedirs(path("source"))
    with open(path("source", "README"), "w") as readme:
        readme.write("hello\n")
    manifest = re.search(r"package ([0-9a-f]{64})", run("pkg", "--state-dir", path("builder"), "build", path("source"))).group(1)

    # An enrolled machine that stands: signs without a warning.
    answer = run("pkg", "--state-dir", path("builder"), "release", "demo", "1.0.0", manifest)
    check("released demo 1.0.0" in answer and "warning" not in answer, f"release by an enrolled machine: {answer}")

    # A machine with a key but outside the fleet: warned before it signs (and it still signs).
    run("machine", "--state-dir", path("stranger"), "init", "--name", "stranger")
    shutil.copytree(path("builder", "store"), path("stranger", "store"))
    os.remove(path("stranger", "store", "releases", "demo"))
    answer = run("pkg", "--state-dir", path("stranger"), "release", "demo", "1.0.0", manifest)
    check("warning: this machine is not enrolled in a fleet" in answer and "released demo 1.0.0" in answer,
          f"release by a machine without a fleet: {answer}")
    for name in ("fleet.log", "fleet.head"):
        shutil.copy(path("builder", name), path("stranger", name))
    os.remove(path("stranger", "store", "releases", "demo"))
    answer = run("pkg", "--state-dir", path("stranger"), "release", "demo", "1.0.0", manifest)
    check("warning: this machine is not enrolled in the fleet log" in answer and "released demo 1.0.0" in answer,
          f"release by a machine the fleet never enrolled: {answer}")

    # A receiver holding the builder's release: served and listed plainly while the builder stands.
    shutil.copytree(path("builder", "store"), path("receiver", "store"))
    for name in ("fleet.log", "fleet.head"):
        shutil.copy(path("builder", name), path("receiver", name))
    check(run("pkg", "--state-dir", path("receiver"), "cat", "demo", "README") == "hello\n", "cat of a standing release")
    answer = run("pkg", "--state-dir", path("receiver"), "ls")
    check("demo" in answer and "NOT STANDING" not in answer, f"ls of a standing release: {answer}")

    # The builder is revoked; the receiver gets the revocation.
    run("fleet", "--state-dir", path("builder"), "revoke", "builder", "--reason", "stolen", words=words)
    for name in ("fleet.log", "fleet.head"):
        shutil.copy(path("builder", name), path("receiver", name))

    # pkg release on the revoked machine: refused, nothing signed, the store unchanged.
    before = open(path("builder", "store", "releases", "demo"), "rb").read()
    answer = run("pkg", "--state-dir", path("builder"), "release", "demo", "1.1.0", manifest, expect=1)
    check("this machine ('builder') is revoked in the fleet log" in answer and "Nothing signed" in answer,
          f"release by a revoked machine: {answer}")
    check(open(path("builder", "store", "releases", "demo"), "rb").read() == before, "a revoked machine's release was recorded")

    # pkg cat of the release by the machine revoked since: refused, naming why.
    answer = run("pkg", "--state-dir", path("receiver"), "cat", "demo", "README", expect=1)
    check("refused: demo 1.0.0 no longer stands" in answer and "'builder', which is revoked" in answer and "hello" not in answer,
          f"cat of a release by a revoked machine: {answer}")

    # pkg ls: the release is still listed, flagged with the reason.
    answer = run("pkg", "--state-dir", path("receiver"), "ls")
    check(re.search(r"demo +1\.0\.0 .*NOT STANDING: release signed by machine 'builder', which is revoked", answer),
          f"ls does not flag the revoked machine's release: {answer}")

for failure in failures:
    print("FAIL:", failure)
sys.exit(1 if failures else 0)
