#!/usr/bin/env python3
"""Three machines join one fleet and converge through a directory mirror, `python3 -m
http.server` over it and a disk image (a tar archive of it); a revocation reaches each before
a release by the revoked machine (pkg fetch syncs the log first). A fork is refused with the
way out, which then works; truncated and forged mirrors, a mirror behind, another Person's
fleet, a stalling and an endless server are refused naming what and where, state unchanged."""
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vectra_cli import Cli, read, write  # noqa: E402

cli = Cli(sys.argv[1])
run, check = cli.run, cli.check


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)


def state_of(directory):
    """The fleet files' bytes: equal before and after means the state did not change."""
    return tuple(read(os.path.join(directory, f)) if os.path.exists(os.path.join(directory, f)) else None
                 for f in ("fleet.log", "fleet.head"))


def image_of(directory, image):
    with tarfile.open(image, "w", format=tarfile.USTAR_FORMAT) as archive:
        archive.add(directory, arcname=".")


class Hostile(threading.Thread):
    """An HTTP server that either never answers (stall) or answers with an endless body."""

    def __init__(self, mode):
        super().__init__(daemon=True)
        self.mode, self.port, self.stop = mode, free_port(), False
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.listener.settimeout(0.2)

    def run(self):
        clients = []
        while not self.stop:
            try:
                connection, _ = self.listener.accept()
            except socket.timeout:
                continue
            clients.append(connection)
            if self.mode == "endless":
                threading.Thread(target=self.flood, args=(connection,), daemon=True).start()

    def flood(self, connection):
        try:
            connection.recv(4096)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n")
            while not self.stop:
                connection.sendall(b"\0" * 65536)
        except OSError:
            pass


with tempfile.TemporaryDirectory() as root:
    path = lambda *parts: os.path.join(root, *parts)  # noqa: E731
    table, words, person_key, fingerprint = cli.person()
    mirror = path("mirror")
    a, b, c = path("a"), path("b"), path("c")
    for directory, name in [(a, "alpha"), (b, "beta"), (c, "gamma")]:
        run("machine", "init", "--state-dir", directory, "--name", name)

    # a starts the fleet and publishes it.
    run("machine", "enroll", "--state-dir", a, "--new-fleet", words=words)
    run("fleet", "publish", mirror, "--state-dir", a)
    check(os.path.exists(path("mirror", "fleet", "head")) and os.path.exists(path("mirror", "fleet", "segments", "0")),
          "publish did not write the mirror layout")

    # b joins through the directory: not without confirming the Person, not for another one.
    answer = run("machine", "join", mirror, "--state-dir", b, words=words, expect=4)
    check(fingerprint in answer and "--person" in answer, f"join did not show the fingerprint to confirm: {answer}")
    run("machine", "join", mirror, "--state-dir", b, "--person", "0000-0000-0000-0000", words=words, expect=1)
    check(state_of(b) == (None, None), "a refused join left fleet files behind")
    answer = run("machine", "join", mirror, "--state-dir", b, "--person", fingerprint, words=words)
    check("enrolled beta" in answer, f"b did not join: {answer}")
    run("fleet", "publish", mirror, "--state-dir", b)
    answer = run("fleet", "sync", mirror, "--state-dir", a)
    check("1 new statements" in answer, f"a did not take b's certificate: {answer}")

    # c joins through python's http.server over the directory.
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", mirror],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        url = f"http://127.0.0.1:{port}"
        answer = run("machine", "join", url, "--state-dir", c, "--person", person_key, words=words)
        check("enrolled gamma" in answer, f"c did not join over HTTP: {answer}")
        run("fleet", "publish", mirror, "--state-dir", c)
        run("fleet", "sync", url, "--state-dir", a)
        # b takes it from a disk image.
        image = path("mirror.tar")
        image_of(mirror, image)
        answer = run("fleet", "sync", image, "--state-dir", b)
        check("1 new statements" in answer, f"b did not sync from the image: {answer}")
        check(state_of(a) == state_of(b) == state_of(c), "the three machines did not converge")

        # a revokes c; c, not knowing, releases a package into the mirror; b fetches it over
        # HTTP and must have the revocation first.
        run("fleet", "revoke", "gamma", "--reason", "stolen", "--state-dir", a, words=words)
        run("fleet", "publish", mirror, "--state-dir", a)
        package = path("package")
        os.makedirs(package)
        write(os.path.join(package, "README"), b"released by a stolen machine\n")
        built = run("pkg", "--state-dir", c, "--store", mirror, "build", package)
        manifest = re.search(r"package ([0-9a-f]{64})", built)
        check(manifest is not None, f"pkg build: {built}")
        if manifest:
            run("pkg", "--state-dir", c, "--store", mirror, "release", "demo", "1.0.0", manifest.group(1))
            answer = run("pkg", "--state-dir", b, "fetch", url, "demo", expect=1)
            check("revoked" in answer, f"b accepted a release by a revoked machine: {answer}")
            check("REVOKED" in run("fleet", "show", "--state-dir", b), "pkg fetch did not bring the revocation")
        image_of(mirror, image)
        run("fleet", "sync", image, "--state-dir", c)
        check("REVOKED" in run("fleet", "show", "--state-dir", c), "the revoked machine did not learn of it from the image")
        check(state_of(a) == state_of(b) == state_of(c), "the three machines did not converge after the revocation")

        # Incremental: an up-to-date machine reads only the head.
        answer = run("fleet", "sync", url, "--state-dir", b)
        check("up to date" in answer, f"sync of an up-to-date machine: {answer}")
    finally:
        server.kill()

    # A fleet.log file also serves a join.
    d = path("d")
    run("machine", "init", "--state-dir", d, "--name", "delta")
    answer = run("machine", "join", os.path.join(a, "fleet.log"), "--state-dir", d, "--person", fingerprint, words=words)
    check("enrolled delta" in answer, f"join from a fleet.log file: {answer}")

    # --- Refusals: each names what and where, and changes nothing ------------------------------
    behind = path("behind")
    shutil.copytree(a, behind)  # a machine that will be behind the mirror
    served = path("served")
    shutil.copytree(a, served)  # another, to sync through `vectra mirror serve`
    run("fleet", "publish", mirror, "--state-dir", d)  # the mirror now has delta; `behind` does not
    segment = path("mirror", "fleet", "segments", "0")

    def tampered(name, change):
        copy = path(name)
        shutil.copytree(mirror, copy)
        change(copy)
        return copy

    head = read(path("mirror", "fleet", "head"))
    cases = {
        "truncated": (tampered("m-truncated", lambda m: write(os.path.join(m, "fleet/segments/0"), read(segment)[:-100])), "truncated"),
        "forged head": (tampered("m-head", lambda m: write(os.path.join(m, "fleet/head"),
                                                            head[:40] + (int.from_bytes(head[40:48], "big") + 3).to_bytes(8, "big") + head[48:])),
                        "segments/0"),
        "forged statement": (tampered("m-forged", lambda m: write(os.path.join(m, "fleet/segments/0"),
                                                                  read(segment)[:-10] + bytes([read(segment)[-10] ^ 1]) + read(segment)[-9:])),
                             "not the Person's"),
        "missing segment": (tampered("m-missing", lambda m: os.remove(os.path.join(m, "fleet/segments/0"))), "missing"),
    }
    before = state_of(behind)
    for what, (source, expected) in cases.items():
        answer = run("fleet", "sync", source, "--state-dir", behind, expect=1)
        check(expected in answer and source in answer, f"{what}: {answer}")
        check(state_of(behind) == before, f"{what}: the state changed")
    # A mirror behind this machine is not taken.
    old_mirror = path("m-old")
    run("fleet", "publish", old_mirror, "--state-dir", behind)
    run("fleet", "sync", mirror, "--state-dir", behind)
    answer = run("fleet", "sync", old_mirror, "--state-dir", behind, expect=1)
    check("older fleet log" in answer, f"a mirror behind us: {answer}")
    # Another Person's fleet.
    _, other_words, _, _ = cli.person()
    stranger = path("stranger")
    run("machine", "init", "--state-dir", stranger, "--name", "stranger")
    run("machine", "enroll", "--state-dir", stranger, "--new-fleet", words=other_words)
    other_mirror = path("m-other")
    run("fleet", "publish", other_mirror, "--state-dir", stranger)
    answer = run("fleet", "sync", other_mirror, "--state-dir", a, expect=1)
    check("another Person" in answer, f"another Person's fleet: {answer}")
    answer = run("fleet", "publish", other_mirror, "--state-dir", a, expect=1)
    check("another Person" in answer, f"publishing over another Person's fleet: {answer}")

    # A fork: e enrolled itself with the same words without joining (a second genesis).
    e = path("e")
    run("machine", "init", "--state-dir", e, "--name", "epsilon")
    run("machine", "enroll", "--state-dir", e, "--new-fleet", words=words)
    forked = state_of(e)
    answer = run("fleet", "sync", mirror, "--state-dir", e, expect=1)
    check("fork" in answer and "--leave-forked-log" in answer, f"a fork was not explained with the way out: {answer}")
    check(state_of(e) == forked, "a refused fork changed the state")
    answer = run("machine", "join", mirror, "--state-dir", e, "--person", fingerprint, "--leave-forked-log", words=words)
    check("joined" in answer, f"the way out of a fork did not work: {answer}")
    check(any(n.startswith("fleet.log.forked-") for n in os.listdir(e)), "the forked log was not kept aside")
    check("epsilon" in run("fleet", "show", "--state-dir", e), "e is not in the fleet after leaving its fork")

    # Stalling and endless servers are cut off within their bounds.
    for mode, expected in [("stall", "slow"), ("endless", "more than")]:
        hostile = Hostile(mode)
        hostile.start()
        started = time.time()
        answer = run("fleet", "sync", f"http://127.0.0.1:{hostile.port}", "--state-dir", a, "--timeout", "2", expect=1, timeout=60)
        elapsed = time.time() - started
        hostile.stop = True
        check(elapsed < 30, f"{mode} server held the sync for {elapsed:.0f} s")
        check(f"127.0.0.1:{hostile.port}" in answer, f"{mode} server: the refusal does not say where: {answer}")

    # `vectra mirror serve` hands out the fleet layout (fleet/head, fleet/segments/N).
    server = subprocess.Popen([cli.vectra, "mirror", "serve", mirror, "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        line = server.stdout.readline()
        port = re.search(r":(\d+)/", line)
        check(port is not None, f"mirror serve did not say where: {line}")
        if port:
            answer = run("fleet", "sync", f"http://127.0.0.1:{port.group(1)}", "--state-dir", served)
            check("new statements" in answer, f"sync through vectra mirror serve: {answer}")
    finally:
        server.kill()
        server.wait()

cli.finish("cli.fleet-sync-end-to-end")
