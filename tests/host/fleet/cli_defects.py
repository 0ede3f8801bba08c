#!/usr/bin/env python3
"""The attack review's identity defects, end to end with the real binary: bad revocation
reasons refused before the words; a rolled-back fleet.log or a missing or damaged fleet.head
refused by every command that reads the log; two concurrent enrolments both kept (and a held
lock reported busy); unusable machine keys refused; Ctrl-C at the word prompt restores echo;
and the papercuts (the printed table pastes back, every bad word named, prefixes, Unicode
spaces, --state-dir after the subcommand, exit statuses, show's reasons and dates)."""
import fcntl
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import termios
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vectra_cli import Cli, read, statement_offsets, write  # noqa: E402

cli = Cli(sys.argv[1])
run, check = cli.run, cli.check

with tempfile.TemporaryDirectory() as root:
    table, words, person_key, fingerprint = cli.person()
    a = os.path.join(root, "deep", "er", "a")  # machine init makes the whole path
    run("machine", "init", "--state-dir", a, "--name", "alpha")  # --state-dir after the subcommand
    run("machine", "--state-dir", a, "enroll", "--new-fleet", words=words)
    keys = {}
    crowd = [f"crowd{i}" for i in range(8)]
    for name in ["beta", "gamma", "delta"] + crowd:
        d = os.path.join(root, name)
        run("machine", "--state-dir", d, "init", "--name", name)
        keys[name] = run("machine", "key", "--state-dir", d).strip()

    # --- Papercuts on the words ---------------------------------------------------------------
    check(person_key in run("person", "recover", words=table), "the numbered table did not paste back")
    prefixes = " ".join(w[:4] for w in words.split())
    check(person_key in run("person", "recover", words=prefixes), "unique 4-letter prefixes were refused")
    check(person_key in run("person", "recover", words="\u00a0".join(words.split()).upper()), "NBSP/upper case broke the words")
    bad = words.split()
    bad[1], bad[17] = "qqqqq", "zzyzx"
    answer = run("person", "recover", words=" ".join(bad), expect=2)
    check("word 2 'qqqqq'" in answer and "word 18 'zzyzx'" in answer, f"not every bad word was named: {answer}")

    # --- Reason text refused before the words, nothing saved ---------------------------------
    run("machine", "--state-dir", a, "enroll", "--machine-key", keys["beta"], "--name", "beta", words=words)
    log_before = read(os.path.join(a, "fleet.log"))
    for reason in ["caf\u00e9", "two\nlines", "x" * 201]:
        answer = run("fleet", "--state-dir", a, "revoke", "beta", "--reason", reason, expect=2)  # no words given
        check("Person's 24 words" not in answer and "reason" in answer, f"bad reason {reason!r}: {answer}")
    check(read(os.path.join(a, "fleet.log")) == log_before, "a refused reason changed the log")
    run("fleet", "--state-dir", a, "show")

    # --- Unusable machine keys ----------------------------------------------------------------
    for key in ["00" * 32, "01" + "00" * 31, "ec" + "ff" * 30 + "7f"]:
        answer = run("machine", "--state-dir", a, "enroll", "--machine-key", key, "--name", "broken", expect=2)
        check("not a usable" in answer, f"key {key} was not refused as unusable: {answer}")

    # --- Concurrent enrolments: both kept, log and head from one history ----------------------
    enrolling = ["gamma", "delta"] + crowd
    processes = [subprocess.Popen([cli.vectra, "machine", "--state-dir", a, "enroll", "--machine-key", keys[n], "--name", n],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for n in enrolling]
    for p in processes:  # all started before any gets its words
        p.stdin.write(words)
        p.stdin.close()
    outputs = []
    for p in processes:
        p.wait(timeout=60)
        outputs.append(p.stdout.read())
    check(all(p.returncode == 0 for p in processes), f"a concurrent enrolment failed: {outputs}")
    shown = run("fleet", "--state-dir", a, "show")
    check(all(n in shown for n in enrolling), f"a concurrent enrolment was lost: {shown}")
    run("fleet", "--state-dir", a, "verify")  # every signature, and the head agrees
    # A held lock: a ceremony says busy (exit 3) instead of interleaving.
    with open(os.path.join(a, "fleet.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        answer = run("fleet", "--state-dir", a, "--lock-wait", "0", "revoke", "gamma", words=words, expect=3)
        check("busy" in answer, f"a held lock was not reported busy: {answer}")

    # --- fleet show: reasons, dates, this machine ---------------------------------------------
    run("fleet", "--state-dir", a, "revoke", "gamma", "--reason", "left on a train", words=words)
    shown = run("fleet", "show", "--state-dir", a)
    check(re.search(r"alpha .*active.*<- this machine", shown) is not None, f"show does not mark this machine: {shown}")
    check(re.search(r"gamma .*REVOKED \d{4}-\d\d-\d\d.*left on a train", shown) is not None, f"show lacks date/reason: {shown}")

    # --- A rolled-back fleet.log: every command refuses, nothing is signed --------------------
    log_path, head_path = os.path.join(a, "fleet.log"), os.path.join(a, "fleet.head")
    whole, head = read(log_path), read(head_path)
    older = whole[:statement_offsets(whole)[-1]]  # without the revocation of gamma
    write(log_path, older)
    for command in [("fleet", "--state-dir", a, "show"), ("fleet", "--state-dir", a, "verify"),
                    ("fleet", "--state-dir", a, "revoke", "delta"),
                    ("machine", "--state-dir", a, "enroll", "--machine-key", keys["beta"], "--name", "beta2"),
                    ("fleet", "--state-dir", a, "publish", os.path.join(root, "mirror"))]:
        answer = run(*command, words=words, expect=1)
        check("rollback" in answer, f"{' '.join(command[3:])} on a rolled-back log: {answer}")
    check(read(head_path) == head and read(log_path) == older, "a command changed the state of a rolled-back machine")
    write(log_path, whole)

    # --- An interrupted append: a torn record past the accepted head is ignored, one inside
    # what was accepted is refused; the next save writes a whole file again.
    write(log_path, whole + whole[statement_offsets(whole)[-1]:][:30])
    answer = run("fleet", "--state-dir", a, "show")
    check("interrupted write" in answer, f"a torn tail past the head was not noted: {answer}")
    write(log_path, whole[:-20])
    answer = run("fleet", "--state-dir", a, "show", expect=1)
    check("refused" in answer, f"a log cut inside an accepted statement was not refused: {answer}")
    write(log_path, whole + b"\0\0\1")
    run("fleet", "--state-dir", a, "revoke", "delta", "--reason", "test", words=words)
    run("fleet", "--state-dir", a, "verify")
    check("interrupted" not in run("fleet", "--state-dir", a, "show"), "the torn tail survived the next save")
    whole, head = read(log_path), read(head_path)

    # --- A deleted or damaged fleet.head refuses, never drops the guard -----------------------
    os.rename(head_path, head_path + ".aside")
    answer = run("fleet", "--state-dir", a, "show", expect=1)
    check("fleet.head is missing" in answer, f"a missing head was not refused: {answer}")
    run("machine", "--state-dir", a, "enroll", "--machine-key", keys["beta"], "--name", "beta2", words=words, expect=1)
    write(head_path, head[:40])
    answer = run("fleet", "--state-dir", a, "show", expect=1)
    check("damaged" in answer, f"a damaged head was not refused: {answer}")
    os.rename(head_path + ".aside", head_path)
    run("fleet", "--state-dir", a, "show")

    # --- Without a log, enrolling says it starts a new fleet ----------------------------------
    answer = run("machine", "--state-dir", os.path.join(root, "beta"), "enroll", words=words, expect=4)
    check("NEW fleet" in answer and "machine join" in answer, f"no warning about starting a new fleet: {answer}")

    # --- Exit statuses and help ----------------------------------------------------------------
    run("fleet", "show", "--no-such-option", expect=2)
    check("INT=30" in run("fleet", "--help"), "help does not show the default lock wait")

    # --- Ctrl-C at the word prompt puts echo back ---------------------------------------------
    master, slave = pty.openpty()
    child = subprocess.Popen([cli.vectra, "person", "recover"], stdin=slave, stdout=slave, stderr=slave,
                             start_new_session=True, preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
    seen, deadline = b"", time.time() + 20
    while b"24 words" not in seen and time.time() < deadline:
        if select.select([master], [], [], 0.5)[0]:
            seen += os.read(master, 1024)
    check(not termios.tcgetattr(slave)[3] & termios.ECHO, "echo was not off at the prompt")
    os.write(master, b"abandon ability \x03")  # Ctrl-C: the line discipline sends SIGINT
    try:
        child.wait(timeout=20)
    except subprocess.TimeoutExpired:
        child.kill()
        check(False, "person recover did not stop on Ctrl-C")
    check(termios.tcgetattr(slave)[3] & termios.ECHO, "Ctrl-C at the word prompt left echo off")
    os.close(master)
    os.close(slave)

cli.finish("cli.fleet-defects")
