#!/usr/bin/env python3
"""End to end with the real `vectra` binary: person new → recover gives the same key; a typo
is named; two machines enrolled, one revoked; verify and show; a forged log, a wrong Person
and a rolled-back log are refused. Every state directory is a fresh temporary one."""
import os
import re
import subprocess
import sys
import tempfile

VECTRA = sys.argv[1]
failures = []


def run(*arguments, words=None, expect=0):
    result = subprocess.run([VECTRA, *arguments], input=words, capture_output=True, text=True, timeout=60)
    if result.returncode != expect:
        failures.append(f"{' '.join(arguments)}: exit {result.returncode}, expected {expect}\n{result.stdout}{result.stderr}")
    return result.stdout + result.stderr


def check(condition, message):
    if not condition:
        failures.append(message)


with tempfile.TemporaryDirectory() as root:
    refused = run("person", "new", expect=2)  # stdout is a pipe here, not a terminal
    check("not a terminal" in refused or "only on a terminal" in refused, "person new printed words to a pipe")
    created = run("person", "new", "--print-words-to-non-terminal")
    word_lines = [line for line in created.splitlines() if re.match(r"^\s+\d+ [a-z]", line)]
    words = " ".join(re.findall(r"\d+ ([a-z]+)", "\n".join(word_lines)))
    check(len(words.split()) == 24, f"expected 24 words, got: {created}")
    public_key = re.search(r"person public key: ([0-9a-f]{64})", created).group(1)
    recovered = run("person", "recover", words=words)
    check(public_key in recovered, "recover gave a different key")

    typo = words.split()
    typo[6] = typo[6][:-1] + ("x" if typo[6][-1] != "x" else "y")
    answer = run("person", "recover", words=" ".join(typo), expect=2)
    check("word 7" in answer, f"the typo was not named: {answer}")

    a, b = os.path.join(root, "a"), os.path.join(root, "b")
    run("machine", "--state-dir", a, "init", "--name", "alpha")
    run("machine", "--state-dir", b, "init", "--name", "beta")
    check(oct(os.stat(os.path.join(a, "machine.key")).st_mode & 0o777) == "0o600", "machine key is not mode 0600")
    run("machine", "--state-dir", a, "enroll", words=words, expect=4)  # no log: a new fleet needs saying so
    run("machine", "--state-dir", a, "enroll", "--new-fleet", words=words)
    beta_key = run("machine", "--state-dir", b, "key").strip()
    run("machine", "--state-dir", a, "enroll", "--machine-key", beta_key, "--name", "beta", words=words)
    run("fleet", "--state-dir", a, "revoke", "beta", "--reason", "lost", words=words)
    shown = run("fleet", "--state-dir", a, "show")
    check(re.search(r"alpha .* active", shown) and re.search(r"beta .* REVOKED", shown), f"show: {shown}")
    log = os.path.join(a, "fleet.log")
    run("fleet", "verify", log, "--person", public_key)

    # A wrong Person key is refused.
    run("fleet", "verify", log, "--person", "00" * 32, expect=1)
    # A forged byte anywhere in a statement's signature is refused.
    forged = os.path.join(root, "forged.log")
    data = bytearray(open(log, "rb").read())
    data[-10] ^= 1
    open(forged, "wb").write(data)
    run("fleet", "verify", forged, "--person", public_key, expect=1)
    # Machine b merges a's log; then a shorter (older) log is a rollback for it.
    run("fleet", "--state-dir", b, "merge", log, expect=2)  # no log yet: adopting needs the Person's key
    run("fleet", "--state-dir", b, "merge", log, "--person", "11" * 32, expect=1)  # not this Person's log
    run("fleet", "--state-dir", b, "merge", log, "--person", public_key)
    check("REVOKED" in run("fleet", "--state-dir", b, "show"), "b did not adopt a's log")
    os.makedirs(b, exist_ok=True)
    older = os.path.join(root, "older.log")
    whole = open(log, "rb").read()
    # Cut the last record: the log without the revocation.
    offsets, at = [], 8
    while at < len(whole):
        offsets.append(at)
        at += 4 + int.from_bytes(whole[at:at + 4], "big")
    open(older, "wb").write(whole[:offsets[-1]])
    run("fleet", "verify", older, "--person", public_key)  # valid on its own
    answer = run("fleet", "--state-dir", a, "verify", older, "--person", public_key, expect=1)
    check("rollback" in answer, f"a rolled-back log was not called one: {answer}")

for failure in failures:
    print("FAILED:", failure)
print(f"{1 if not failures else 0} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
