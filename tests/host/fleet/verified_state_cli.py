#!/usr/bin/env python3
"""fleet.state with the real `vectra` binary: every save writes it; `fleet sync` resumes from
it (reading fleet.log's last record, not the whole log) and appends only what is new, leaving
the same bytes a whole-log sync leaves; a state that is damaged, stale or disagrees with the
log is not believed (the whole log decides and the state is made again), and the rollback
guard holds: a rolled-back fleet.log under a matching fleet.state and fleet.head is refused."""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vectra_cli import Cli, read, write  # noqa: E402

cli = Cli(sys.argv[1])
run, check = cli.run, cli.check

with tempfile.TemporaryDirectory() as root:
    path = lambda *parts: os.path.join(root, *parts)  # noqa: E731
    table, words, key, fingerprint = cli.person()
    a, b, mirror = path("a"), path("b"), path("mirror")
    run("machine", "init", "--state-dir", a, "--name", "alpha")
    run("machine", "enroll", "--state-dir", a, "--new-fleet", words=words)
    check(os.path.exists(os.path.join(a, "fleet.state")), "enroll wrote no fleet.state")
    run("fleet", "publish", mirror, "--state-dir", a)
    run("machine", "init", "--state-dir", b, "--name", "beta")
    run("machine", "join", mirror, "--state-dir", b, "--person", fingerprint, words=words)
    check(os.path.exists(os.path.join(b, "fleet.state")), "join wrote no fleet.state")
    run("fleet", "publish", mirror, "--state-dir", b)
    run("fleet", "sync", mirror, "--state-dir", a)
    old_log, old_head, old_state = (read(os.path.join(b, name)) for name in ("fleet.log", "fleet.head", "fleet.state"))

    # Two more machines on a; b syncs them, resumed: the same log a has, and a fresh state.
    for name in ("gamma", "delta"):
        run("machine", "init", "--state-dir", path(name), "--name", name)
        key_of = run("machine", "key", "--state-dir", path(name)).split()[-1]
        run("machine", "enroll", "--machine-key", key_of, "--name", name, "--state-dir", a, words=words)
    run("fleet", "publish", mirror, "--state-dir", a)
    answer = run("fleet", "sync", mirror, "--state-dir", b)
    check("2 new statements" in answer, f"resumed sync: {answer}")
    check(read(os.path.join(b, "fleet.log")) == read(os.path.join(a, "fleet.log")), "b's log differs from a's after the sync")
    new_state = read(os.path.join(b, "fleet.state"))
    check(new_state != old_state, "the sync left the old fleet.state")
    answer = run("fleet", "verify", "--state-dir", b)
    check("valid fleet log" in answer and "delta" in answer, f"verify after a resumed sync: {answer}")

    # Rolled back: the older log under the newer head and state. Refused, nothing changed.
    write(os.path.join(b, "fleet.log"), old_log)
    answer = run("fleet", "sync", mirror, "--state-dir", b, expect=1)
    check("rollback" in answer, f"a rolled-back fleet.log under a matching fleet.state was not refused: {answer}")
    check(read(os.path.join(b, "fleet.log")) == old_log and read(os.path.join(b, "fleet.state")) == new_state,
          "a refused sync changed the state directory")
    write(os.path.join(b, "fleet.log"), read(os.path.join(a, "fleet.log")))

    # A damaged state, and a stale one (the state of the older head): not believed; the sync
    # still answers right, from the whole log, and makes the state again.
    for bad, what in ((new_state[:40] + bytes([new_state[40] ^ 1]) + new_state[41:], "damaged"), (old_state, "stale")):
        write(os.path.join(b, "fleet.state"), bad)
        answer = run("fleet", "sync", mirror, "--state-dir", b)
        check("up to date" in answer, f"sync with a {what} fleet.state: {answer}")
        check(read(os.path.join(b, "fleet.state")) == new_state, f"a {what} fleet.state was not made again")

    # A state whose log file disagrees at its end (same size, another last record) is not believed.
    log = bytearray(read(os.path.join(b, "fleet.log")))
    log[-1] ^= 1  # the head statement's signature: the whole log refuses it
    write(os.path.join(b, "fleet.log"), bytes(log))
    answer = run("fleet", "sync", mirror, "--state-dir", b, expect=1)
    check("refused" in answer, f"a fleet.log whose last record is not the head was believed: {answer}")

cli.finish("verified-state")
