#!/usr/bin/env python3
"""QEMU for VectraOS: the one place that knows how each architecture is booted.

Used by `./vectra run` (interactive), by the in-OS tests registered with CTest (`check`), and
by `./vectra bench boot`. The kernel reports over its serial console; in test mode it ends QEMU
with (code << 1) | 1: 33 passed, 35 failed, 37 panicked (isa-debug-exit on x86_64,
semihosting SYS_EXIT on aarch64).
"""
import argparse
import os
import platform
import re
import selectors
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

EXIT_PASSED, EXIT_FAILED, EXIT_PANICKED = 33, 35, 37

ARCHITECTURES = {
    # q35 with a PVH ELF kernel (-kernel loads it directly; no firmware).
    "x86_64": {
        "qemu": "qemu-system-x86_64",
        "kernel": "kernel-x86_64/kernel/vectra-kernel",
        "symbols": "kernel-x86_64/kernel/vectra-kernel",
        "machine": ["-machine", "q35", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"],
        "cpu": {"tcg": "max", "kvm": "host,-arch-capabilities"},  # some nested KVM hosts refuse that MSR
        "gdb_arch": "i386:x86-64",
    },
    # virt with EL2 present, so the kernel's drop from EL2 to EL1 runs on every boot; GICv2;
    # the kernel is a Linux-style Image so QEMU passes the device tree in x0.
    "aarch64": {
        "qemu": "qemu-system-aarch64",
        "kernel": "kernel-aarch64/kernel/vectra-kernel.bin",
        "symbols": "kernel-aarch64/kernel/vectra-kernel",
        "machine": ["-machine", "virt,virtualization=on,gic-version=2",
                    "-semihosting-config", "enable=on,target=native"],
        "cpu": {"tcg": "cortex-a76", "kvm": "host"},
        "gdb_arch": "aarch64",
    },
}

HOST_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(
    platform.machine().lower(), platform.machine())


def kvm_usable():
    try:
        descriptor = os.open("/dev/kvm", os.O_RDWR)
    except OSError:
        return False
    os.close(descriptor)
    return True


def choose_accelerator(arch, requested):
    """Returns (accelerator, reason) and never picks KVM where it cannot work."""
    if requested == "kvm":
        if arch != HOST_ARCH:
            raise SystemExit(f"vectra: KVM cannot run {arch} on this {HOST_ARCH} host; use --accel tcg")
        if not kvm_usable():
            raise SystemExit("vectra: --accel kvm asked for, but /dev/kvm is missing or not usable")
        return "kvm", "asked for"
    if requested == "tcg":
        return "tcg", "asked for"
    if arch != HOST_ARCH:
        return "tcg", f"{arch} guest on a {HOST_ARCH} host"
    if kvm_usable() and os.path.isdir("/sys/module/kvm_pvm"):
        # A software nested hypervisor: it does not deliver `syscall` from user mode, so
        # userland cannot run there (--accel kvm still asks for it).
        return "tcg", "/dev/kvm is kvm-pvm, which cannot run VectraOS's userland"
    if kvm_usable():
        return "kvm", "/dev/kvm is usable"
    return "tcg", "/dev/kvm is not usable"


# The boot bundle (the first programs, for init), relative to the build directory. QEMU hands
# it over as an initrd: a PVH module on x86_64, linux,initrd-start/end in /chosen on aarch64.
BOOT_BUNDLE = "user/boot-bundle-{arch}.img"


# The host tool that packs boot bundles (host/bundle), relative to the build directory.
BUNDLE_TOOL = "host/bundle/vectra-bundle"


def boot_bundle_path(build, arch):
    """The build's boot bundle for `arch`, or None when the build has not made one."""
    path = os.path.join(build, BOOT_BUNDLE.format(arch=arch))
    return path if os.path.exists(path) else None


def qemu_command(build, arch, accel, smp=2, memory="512M", append="", gdb=False, interactive=False,
                 initrd=None, gdb_socket=None):
    """`initrd`: a file to boot with instead of the build's boot bundle. `gdb_socket`: a path
    where QEMU's gdb stub listens (a Unix socket) without stopping the machine, for the hang dump."""
    spec = ARCHITECTURES[arch]
    kernel = os.path.join(build, spec["kernel"])
    if not os.path.exists(kernel):
        raise SystemExit(f"vectra: no kernel at {kernel}; build first")
    command = [spec["qemu"], *spec["machine"], "-accel", accel, "-cpu", spec["cpu"][accel],
               "-smp", str(smp), "-m", memory, "-kernel", kernel, "-no-reboot"]
    if initrd is not None and not os.path.isfile(initrd):
        raise SystemExit(f"vectra: no initrd at {initrd}")
    initrd = initrd or boot_bundle_path(build, arch)
    if initrd:
        command += ["-initrd", initrd]
    if append:
        command += ["-append", append]
    if interactive:
        command += ["-nographic"]  # serial and monitor on this terminal; Ctrl-A X quits
    else:
        command += ["-display", "none", "-serial", "stdio", "-monitor", "none"]
    if gdb:
        command += ["-s", "-S"]
    elif gdb_socket:
        command += ["-gdb", f"unix:{gdb_socket},server=on,wait=off"]
    return command


def gdb_attach_command(build, arch):
    spec = ARCHITECTURES[arch]
    symbols = os.path.join(build, spec["symbols"])
    return (f"gdb-multiarch -q -ex 'set architecture {spec['gdb_arch']}' -ex 'file {symbols}' "
            f"-ex 'target remote localhost:1234'")


# The gdb script that reads what each CPU runs and waits for (see its opening comment).
HANG_DUMP_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hang_dump.py")


def dump_hung_cpus(build, arch, gdb_socket, timeout=120):
    """Attaches gdb-multiarch to a running QEMU's stub at `gdb_socket` and returns what
    hang_dump.py prints: one "cpu N:" entry per CPU (pc, thread, Task, what it waits for,
    backtrace), then the kernel lock and the threads asleep with a deadline."""
    spec = ARCHITECTURES[arch]
    symbols = os.path.join(build, spec["symbols"])
    if shutil.which("gdb-multiarch") is None:
        return "hang dump: no gdb-multiarch on this host (Debian package gdb-multiarch)\n"
    command = ["gdb-multiarch", "-nx", "-batch", "-ex", f"set architecture {spec['gdb_arch']}",
               "-ex", f"file {symbols}", "-ex", f"target remote {gdb_socket}", "-x", HANG_DUMP_SCRIPT]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"hang dump: gdb did not finish within {timeout} s\n"
    text = result.stdout
    if "hang dump:" in text:  # what gdb printed on attaching comes before
        text = text[text.index("hang dump:"):]
    if "hang dump: end" not in text:
        text += "hang dump: gdb failed:\n" + result.stderr
    return text


def run_captured(command, timeout, echo=True, stop_when=None, type_when=None, on_timeout=None):
    """Runs QEMU with no stdin, streaming its serial output. Returns (status, output, seconds,
    timestamps) where status is None on timeout (or when stopped early) and timestamps maps
    each stop_when pattern (regex) to the seconds at which it first appeared; once all have
    appeared QEMU is stopped. `output` is the serial console alone: QEMU's own messages
    (warnings such as KVM's about --smp) go to its stderr, which is passed on to ours.
    `type_when`: [(regex, bytes)], each typed on the serial console once its regex appears.
    `on_timeout`: called once when the time is up, while QEMU still runs (the hang dump)."""
    started = time.monotonic()
    pending_input = list(type_when or [])
    process = subprocess.Popen(command, stdin=subprocess.PIPE if pending_input else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    selector.register(process.stderr, selectors.EVENT_READ)
    open_streams = 2
    output = bytearray()
    marks = {}
    status = None
    while True:
        remaining = timeout - (time.monotonic() - started)
        if remaining <= 0:
            if on_timeout is not None:
                on_timeout()
            process.kill()
            process.wait()
            break
        if open_streams == 0:
            status = process.wait()
            break
        events = selector.select(min(remaining, 0.5))
        if not events:
            if process.poll() is not None:
                status = process.returncode
                break
            continue
        for key, _ in events:
            chunk = os.read(key.fileobj.fileno(), 65536)
            if not chunk:
                selector.unregister(key.fileobj)
                open_streams -= 1
            elif key.fileobj is process.stderr:
                sys.stderr.buffer.write(chunk)
                sys.stderr.flush()
            else:
                output += chunk
                if echo:
                    sys.stdout.buffer.write(chunk)
                    sys.stdout.flush()
                text_so_far = output.decode("utf-8", "replace").replace("\r\n", "\n")
                while pending_input and re.search(pending_input[0][0], text_so_far, re.MULTILINE):
                    process.stdin.write(pending_input.pop(0)[1])
                    process.stdin.flush()
        if stop_when:
            text = output.decode("utf-8", "replace")
            for pattern in stop_when:
                if pattern not in marks and re.search(pattern, text, re.MULTILINE):
                    marks[pattern] = time.monotonic() - started
            if len(marks) == len(stop_when):  # everything measured: no need to wait for the end
                process.kill()
                process.wait()
                break
    selector.close()
    process.stdout.close()
    process.stderr.close()
    text = output.decode("utf-8", "replace").replace("\r\n", "\n")  # the UARTs send CR LF
    return status, text, time.monotonic() - started, marks


BANNER = re.compile(r"^VectraOS (\S+) \((x86_64|aarch64)\) — (\d+) CPUs?, (\d+) MiB RAM$", re.MULTILINE)
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$", re.MULTILINE)


def first_console_line(output):
    for line in output.splitlines():
        line = line.strip("\r")
        if line.strip():
            return line
    return ""


def check_banner(output, arch, smp, problems):
    match = BANNER.match(first_console_line(output))
    if not match:
        problems.append(f"the first console line is not the banner: {first_console_line(output)!r}")
    elif match.group(2) != arch:
        problems.append(f"banner names {match.group(2)}, expected {arch}")
    elif int(match.group(3)) != smp:
        problems.append(f"banner counts {match.group(3)} CPUs, QEMU has {smp}")


def check_tests(status, output, arch, smp):
    problems = []
    check_banner(output, arch, smp, problems)
    summaries = SUMMARY.findall(output)
    if status is None:
        problems.append("timed out (the kernel hung or never ended QEMU)")
    if not summaries:
        problems.append("no 'N passed, N failed' summary line")
    else:
        passed, failed = map(int, summaries[-1])
        if failed:
            problems.append(f"{failed} in-OS test cases failed")
        if passed == 0:
            problems.append("no in-OS test case ran")
    if status is not None and status != EXIT_PASSED:
        problems.append(f"QEMU exit status {status}, expected {EXIT_PASSED} (passed)")
    return problems


# What a panic dump must show, per architecture (see kernel/core/panic.cpp).
PANIC_FIELDS = {
    "x86_64": [r"PANIC: unexpected exception: page fault \(#PF\) \(vector 0xe\)",
               r"error code: 0x[0-9a-f]+ \(.*write.*\)",
               r"faulting address: 0x[0-9a-f]{16}",
               r"instruction: 0x[0-9a-f]{16} .*deliberately_fault_for_panic_test",
               r"rip=[0-9a-f]{16}", r"rsp=[0-9a-f]{16}", r"cr2=[0-9a-f]{16}",
               r"#1 0x[0-9a-f]{16} .*(run_panic_test|kernel_main)"],
    "aarch64": [r"PANIC: unexpected exception: data abort .*\(vector 0x25\)",
                r"error code: 0x[0-9a-f]+ \(.*(write|WnR).*\)",
                r"faulting address: 0x[0-9a-f]{16}",
                r"instruction: 0x[0-9a-f]{16} .*deliberately_fault_for_panic_test",
                r"x0=[0-9a-f]{16}", r"elr=[0-9a-f]{16}", r"far=[0-9a-f]{16}",
                r"#1 0x[0-9a-f]{16} .*(run_panic_test|kernel_main)"],
}


# A kernel stack overflow must end in a dump too (x86_64: a double fault on its IST stack;
# aarch64: a data abort handled on the exception stack)...
OVERFLOW_FIELDS = {
    "x86_64": [r"PANIC: unexpected exception: double fault \(#DF\)", r"stack overflow"],
    "aarch64": [r"PANIC: unexpected exception: data abort from EL1"],
}
# ...faulting inside exactly the guard page of the stack that recursed, which the kernel names
# before it starts. Where the dump says which address faulted:
GUARD_PAGE = re.compile(r"recursing into the guard page at 0x([0-9a-f]+)")
OVERFLOW_FAULT_ADDRESS = {
    "x86_64": re.compile(r"\bcr2=([0-9a-f]{16})"),  # the #PF the #DF could not deliver
    "aarch64": re.compile(r"faulting address: 0x([0-9a-f]{16})"),
}


# The boot a person gets from ./vectra run: init starts the console driver, echo and hello;
# a line typed at echo's prompt comes back through the driver (the UART's receive interrupt, the
# Mask, the driver's Ring, echo's read_line and print).
ECHO_PROMPT = r"type a line, it comes back\n(.|\n)*> "
HELLO_ENDED = r"task hello: exited with status 0\n"
# Type only once echo waits at its prompt and hello has ended, so that no other output cuts
# into the echoed line and no Enter arrives before echo asks for a line.
READY_TO_TYPE = rf"(?s)\A(?=.*{HELLO_ENDED})(?=.*type a line, it comes back\n.*> )"
ECHO_LINE = "vectra echo check 42"


def check_echo(status, output, arch, smp):
    problems = []
    check_banner(output, arch, smp, problems)
    if "PANIC" in output:
        problems.append("the kernel panicked")
    if not re.search(ECHO_PROMPT, output):
        problems.append("no prompt from echo")
    running = re.search(r"^VectraOS \(\w+, (\d+) CPUs? running\): type a line", output, re.MULTILINE)
    if not running:
        problems.append("echo's greeting does not say how many CPUs run")
    elif int(running.group(1)) != smp:
        problems.append(f"echo's greeting says {running.group(1)} CPUs run, QEMU has {smp}")
    if not re.search(HELLO_ENDED, output):
        problems.append("init did not report hello's ending")
    if len(re.findall(re.escape(ECHO_LINE), output)) < 2:
        problems.append("the typed line did not come back (once echoed as typed, once printed by echo)")
    return problems


# A userland test boot ("run=NAME -- ARGS"): init starts the console driver and NAME only, and
# reports how NAME ended; the program prints "N passed, N failed". QEMU is stopped once the
# ending is reported (a userland program cannot end the emulator: it has no such capability).
def user_program_ended(name):
    return rf"^task {re.escape(name)}: (exited with status -?\d+|killed|.* at pc 0x[0-9a-f]+)"


def check_held_back(output, held_back, smp):
    """CPU `held_back` was never started: the kernel must name it and go on with the others."""
    problems = []
    if not re.search(rf"^smp: cpu {held_back} \(hardware id \S+\) did not come up within \d+ ms; going on without it$",
                     output, re.MULTILINE):
        problems.append(f"the kernel did not report that cpu {held_back} failed to come up")
    if not re.search(rf"^smp: {smp - 1} of {smp} CPUs running$", output, re.MULTILINE):
        problems.append(f"the kernel did not report {smp - 1} of {smp} CPUs running (the others after the one held back must come up)")
    return problems


def check_user(status, output, arch, smp, name):
    problems = []
    check_banner(output, arch, smp, problems)
    ended = re.search(user_program_ended(name), output, re.MULTILINE)
    if "PANIC" in output:
        problems.append("the kernel panicked")
    if not ended:
        problems.append(f"init never reported how {name} ended (a hang, or it was not started)")
    elif ended.group(1) != "exited with status 0":
        problems.append(f"{name} ended badly: {ended.group(0)}")
    summaries = SUMMARY.findall(output)
    if not summaries:
        problems.append(f"no 'N passed, N failed' summary line from {name}")
    else:
        passed, failed = map(int, summaries[-1])
        if failed:
            problems.append(f"{failed} userland test cases failed")
        if passed == 0:
            problems.append("no userland test case ran")
    return problems


def check_dump(status, output, arch, smp, fields, what):
    """A boot that must end in a panic dump (exit 37) showing every pattern in `fields`."""
    problems = []
    check_banner(output, arch, smp, problems)
    if status is None:
        problems.append(f"timed out instead of dumping ({what})")
    elif status != EXIT_PANICKED:
        problems.append(f"QEMU exit status {status}, expected {EXIT_PANICKED} (panicked)")
    for field in fields[arch]:
        if not re.search(field, output, re.MULTILINE):
            problems.append(f"the {what} dump lacks {field!r}")
    if "PANIC: end of dump" not in output:
        problems.append(f"the {what} dump did not finish")
    return problems


def check_panic(status, output, arch, smp):
    return check_dump(status, output, arch, smp, PANIC_FIELDS, "panic")


def check_overflow(status, output, arch, smp):
    problems = check_dump(status, output, arch, smp, OVERFLOW_FIELDS, "stack overflow")
    guard = GUARD_PAGE.search(output)
    fault = OVERFLOW_FAULT_ADDRESS[arch].search(output)
    if not guard:
        problems.append("the kernel did not name the guard page before recursing")
    elif not fault:
        problems.append("the stack overflow dump names no faulting address")
    else:
        guard_page, address = int(guard.group(1), 16), int(fault.group(1), 16)
        if not guard_page <= address < guard_page + 4096:
            problems.append(f"the overflow faulted at {address:#x}, outside the guard page "
                            f"{guard_page:#x}-{guard_page + 4096:#x} (is the guard page mapped?)")
    return problems


# The hang dump's entry for one CPU: "cpu N: pc 0x... <symbol>" then "  runs: ..." and
# "  waits for: ..." (host/qemu/hang_dump.py).
DUMP_CPU_ENTRY = re.compile(r"^cpu (\d+): pc 0x[0-9a-f]+ (\S.*)\n  runs: (.+)\n(?:.*\n)*?  waits for: (.+)$", re.MULTILINE)


def check_hang(status, output, arch, smp, dump):
    """A boot that must hang (runtime-tests hang=1) and, at the timeout, dump one entry per CPU,
    each symbolised and naming what runs there, with the kernel lock's state and the flight
    recorder's newest events."""
    problems = []
    check_banner(output, arch, smp, problems)
    if status is not None:
        problems.append(f"QEMU ended (status {status}) instead of hanging")
    # "hang: every CPU is busy" (runtime-tests' line) is not required: on a loaded host the
    # console may not have printed it when the dump is taken; the spinners in the dump say it.
    entries = DUMP_CPU_ENTRY.findall(dump)
    cpus = sorted(int(entry[0]) for entry in entries)
    if cpus != list(range(smp)):
        problems.append(f"the dump has entries for CPUs {cpus}, expected one for each of 0-{smp - 1}")
    for cpu, where, runs, _ in entries:  # what it waits for may be "?" (busy in the kernel)
        if where.startswith("?") or runs.startswith("?"):
            problems.append(f"the dump's entry for cpu {cpu} lacks its symbol or its thread: {where} / {runs}")
    if not any("spinner" in runs for _, _, runs, _ in entries):
        problems.append("no CPU in the dump runs one of the spinner Tasks")
    if not re.search(r"^kernel lock: held by (nobody|cpu \d+); locked [01]; \d+ CPUs spinning for it", dump, re.MULTILINE):
        problems.append("the dump does not show the kernel lock")
    # The flight recorder's newest events: every CPU ticks, so there are always some.
    if not re.search(r"^trace: [ ~] *[\d.]+ ms cpu \d+ \w+", dump, re.MULTILINE):
        problems.append("the dump shows no flight-recorder events")
    return problems


def pack_with_programs(build, base, programs, output):
    """Writes to `output` a boot bundle holding `base`'s programs and then `programs`, each named
    by its file name, with the build's vectra-bundle (which checks names and refuses duplicates)."""
    tool = os.path.join(build, BUNDLE_TOOL)
    if not os.path.exists(tool):
        raise SystemExit(f"vectra: no {tool}; build first")
    pairs = [f"{os.path.basename(program)}={os.path.abspath(program)}" for program in programs]
    result = subprocess.run([tool, "pack", output, "--base", base, *pairs], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit("vectra: --program: " + result.stderr.strip())


def run_with_programs(arguments, accel):
    """`run --program FILE ...`: boots with a temporary bundle = the usual one plus the files; QEMU
    runs as a child (not exec'd) so the temporary file is removed when it ends."""
    base = arguments.initrd or boot_bundle_path(arguments.build, arguments.arch)
    if base is None:
        raise SystemExit("vectra: --program needs the build's boot bundle ("
                         + BOOT_BUNDLE.format(arch=arguments.arch) + "); build first")
    # A terminating signal becomes an exit, so the finally below still removes the file (and
    # subprocess.call stops QEMU on the way out).
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda received, frame: sys.exit(128 + received))
    descriptor, bundle = tempfile.mkstemp(prefix="vectra-boot-bundle-", suffix=".img")
    os.close(descriptor)
    try:
        pack_with_programs(arguments.build, base, arguments.program, bundle)
        command = qemu_command(arguments.build, arguments.arch, accel, arguments.smp, arguments.mem,
                               arguments.append, arguments.gdb, interactive=True, initrd=bundle)
        if arguments.gdb:
            print("vectra: QEMU waits for the debugger; attach with:\n  "
                  + gdb_attach_command(arguments.build, arguments.arch), flush=True)
        print("vectra: " + shlex.join(command) + "\nvectra: Ctrl-A X leaves QEMU", flush=True)
        return subprocess.call(command)
    finally:
        os.unlink(bundle)


def main():
    parser = argparse.ArgumentParser(prog="vectra", description=__doc__)
    parser.add_argument("--build", required=True, help="the build directory")
    commands = parser.add_subparsers(dest="command", required=True)

    def add_machine_options(command):
        command.add_argument("--arch", choices=sorted(ARCHITECTURES), default="x86_64")
        command.add_argument("--smp", type=int, default=2)
        command.add_argument("--mem", default="512M")
        command.add_argument("--accel", choices=["kvm", "tcg"])
        command.add_argument("--append", default="")
        command.add_argument("--initrd", help="boot with this file as the initrd instead of the "
                             "build's boot bundle (" + BOOT_BUNDLE + ")")

    for name in ("run", "check-run-arguments"):
        run = commands.add_parser(name)
        add_machine_options(run)
        run.add_argument("--gdb", action="store_true")
        run.add_argument("--program", action="append", default=[], metavar="FILE",
                         help="also put FILE in the boot bundle, named by its file name (repeatable)")
    check = commands.add_parser("check", help="boot in a mode and check what the kernel printed")
    add_machine_options(check)
    check.add_argument("--mode", choices=["test", "panic", "overflow", "user", "echo", "hang"], required=True,
                       help="hang: runtime-tests hangs on purpose (hang=1); the check passes when the "
                       "timeout's dump shows every CPU")
    check.add_argument("--user-program", help="--mode user: the boot bundle program init runs")
    check.add_argument("--user-arguments", default="", help="--mode user: its arguments")
    check.add_argument("--no-hang-dump", action="store_true",
                       help="on a timeout, do not attach gdb to dump what each CPU runs and waits for")
    check.add_argument("--timeout", type=float, default=300)
    check.add_argument("--hold-back-cpu", type=int, metavar="N",
                       help="never start CPU N (the kernel's smp-hold-back=N), as if it failed to come up; "
                            "the check then also asks that it was named and the others run")
    check.add_argument("--skip-unless-kvm", action="store_true",
                       help="exit 77 (skipped) when KVM is not usable for this architecture")
    arguments = parser.parse_args()

    if arguments.smp < 1 or arguments.smp > 64:
        raise SystemExit("vectra: --smp must be between 1 and 64")
    if not re.fullmatch(r"\d+[MG]?", arguments.mem):
        raise SystemExit(f"vectra: --mem {arguments.mem!r}: use a size like 512M or 2G")
    for program in getattr(arguments, "program", []):
        if not os.path.isfile(program):
            raise SystemExit(f"vectra: --program {program}: no such file")
    if arguments.command == "check-run-arguments":
        return 0

    if arguments.command == "check" and arguments.skip_unless_kvm:
        if arguments.arch != HOST_ARCH or not kvm_usable():
            print(f"skipped: KVM is not usable for {arguments.arch} here")
            return 77
    accel, reason = choose_accelerator(arguments.arch, arguments.accel)
    print(f"vectra: {arguments.arch} on {accel.upper()} ({reason})", flush=True)

    if arguments.command == "run" and arguments.program:
        return run_with_programs(arguments, accel)
    if arguments.command == "run":
        command = qemu_command(arguments.build, arguments.arch, accel, arguments.smp, arguments.mem,
                               arguments.append, arguments.gdb, interactive=True, initrd=arguments.initrd)
        if arguments.gdb:
            print("vectra: QEMU waits for the debugger; attach with:\n  "
                  + gdb_attach_command(arguments.build, arguments.arch), flush=True)
        print("vectra: " + shlex.join(command) + "\nvectra: Ctrl-A X leaves QEMU", flush=True)
        os.execvp(command[0], command)

    if getattr(arguments, "hold_back_cpu", None) is not None:
        if not 1 <= arguments.hold_back_cpu < arguments.smp:
            raise SystemExit("vectra: --hold-back-cpu names a CPU other than the boot CPU, below --smp")
        arguments.append = (arguments.append + " " if arguments.append else "") + f"smp-hold-back={arguments.hold_back_cpu}"
    if arguments.mode == "hang":
        arguments.user_program = arguments.user_program or "runtime-tests"
        arguments.user_arguments = arguments.user_arguments or "hang=1"
    if arguments.mode == "echo":
        append = arguments.append
    elif arguments.mode in ("user", "hang"):
        if not arguments.user_program:
            raise SystemExit("vectra: --mode user needs --user-program NAME")
        append = f"run={arguments.user_program}"
        if arguments.append:
            append = arguments.append + " " + append
        if arguments.user_arguments:
            append += " -- " + arguments.user_arguments
    else:
        append = {"test": "test", "panic": "panic-test", "overflow": "stack-overflow-test"}[arguments.mode]
        if arguments.append:
            append += " " + arguments.append
    # A hang is a failure that says what each CPU was doing: QEMU's gdb stub listens on a
    # socket of our own, and on a timeout gdb reads every CPU's state through it.
    dump_directory = None if arguments.no_hang_dump else tempfile.TemporaryDirectory(prefix="vectra-gdb-")
    gdb_socket = os.path.join(dump_directory.name, "gdb.socket") if dump_directory else None
    command = qemu_command(arguments.build, arguments.arch, accel, arguments.smp, arguments.mem, append,
                           initrd=arguments.initrd, gdb_socket=gdb_socket)
    print("vectra: " + shlex.join(command), flush=True)
    dumps = []

    def dump_on_timeout():
        print(f"\nvectra: timed out after {arguments.timeout:g} s; what each CPU runs and waits for:", flush=True)
        dumps.append(dump_hung_cpus(arguments.build, arguments.arch, gdb_socket))
        print(dumps[-1], end="", flush=True)

    on_timeout = dump_on_timeout if gdb_socket else None
    if arguments.mode == "echo":
        status, output, seconds, _ = run_captured(
            command, arguments.timeout, stop_when=[rf"(?s){re.escape(ECHO_LINE)}.*{re.escape(ECHO_LINE)}"],
            type_when=[(READY_TO_TYPE, (ECHO_LINE + "\r").encode())], on_timeout=on_timeout)
        problems = check_echo(status, output, arguments.arch, arguments.smp)
    elif arguments.mode == "user":
        status, output, seconds, _ = run_captured(command, arguments.timeout, on_timeout=on_timeout,
                                                  stop_when=[user_program_ended(arguments.user_program)])
        problems = check_user(status, output, arguments.arch, arguments.smp, arguments.user_program)
    elif arguments.mode == "hang":
        status, output, seconds, _ = run_captured(command, arguments.timeout, on_timeout=on_timeout)
        problems = check_hang(status, output, arguments.arch, arguments.smp, "".join(dumps))
    else:
        status, output, seconds, _ = run_captured(command, arguments.timeout, on_timeout=on_timeout)
        checker = {"test": check_tests, "panic": check_panic, "overflow": check_overflow}[arguments.mode]
        problems = checker(status, output, arguments.arch, arguments.smp)
    if getattr(arguments, "hold_back_cpu", None) is not None:
        problems += check_held_back(output, arguments.hold_back_cpu, arguments.smp)
    if dump_directory:
        dump_directory.cleanup()
    print(f"\nvectra: QEMU ended with status {status} after {seconds:.1f} s")
    for problem in problems:
        print(f"vectra: FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
