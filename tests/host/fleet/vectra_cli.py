"""Helpers shared by the fleet end-to-end scripts: run the real `vectra` binary with a bound on
its time, collect failures instead of stopping at the first, make a Person and machines."""
import os
import re
import subprocess
import sys


class Cli:
    def __init__(self, vectra):
        self.vectra = vectra
        self.failures = []

    def run(self, *arguments, words=None, expect=0, timeout=60, env=None):
        try:
            result = subprocess.run([self.vectra, *arguments], input=words, capture_output=True, text=True, timeout=timeout,
                                    env=env, stdin=None if words is not None else subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            self.failures.append(f"{' '.join(arguments)}: still running after {timeout} s")
            return ""
        if expect is not None and result.returncode != expect:
            self.failures.append(f"{' '.join(arguments)}: exit {result.returncode}, expected {expect}\n{result.stdout}{result.stderr}")
        return result.stdout + result.stderr

    def check(self, condition, message):
        if not condition:
            self.failures.append(message)

    def person(self):
        """A new Person: (the table as printed, the words, the public key, the fingerprint)."""
        created = self.run("person", "new", "--print-words-to-non-terminal")
        table = "\n".join(line for line in created.splitlines() if re.match(r"^\s+\d+ [a-z]", line))
        words = " ".join(re.findall(r"\d+ ([a-z]+)", table))
        key = re.search(r"person public key: ([0-9a-f]{64})", created).group(1)
        fingerprint = re.search(r"fingerprint:\s+([0-9a-f-]{19})", created).group(1)
        return table, words, key, fingerprint

    def finish(self, name):
        for failure in self.failures:
            print("FAILED:", failure)
        print(f"{name}: {'ok' if not self.failures else str(len(self.failures)) + ' failures'}")
        sys.exit(1 if self.failures else 0)


def statement_offsets(log_bytes):
    """Byte offsets of each record in a fleet log file."""
    offsets, at = [], 8
    while at < len(log_bytes):
        offsets.append(at)
        at += 4 + int.from_bytes(log_bytes[at:at + 4], "big")
    return offsets


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
