#!/usr/bin/env python3
"""./vectra bench ipc: VectraOS's IPC costs beside Linux doing the same work in the same QEMU.

For each architecture and accelerator (TCG; TCG with -icount shift=0; KVM where usable), boots
VectraOS with the kernel command line `bench-ipc` and Debian's Linux kernel with this folder's
initramfs, parses the `bench-ipc <system> <name> iterations=N ns=T ticks=K` lines both print on
the serial console (README.md beside this file), and prints per operation the median cost per
iteration over --runs boots, Linux's matching operation and the ratio, with seL4's figures as
the anchor under -icount. Under -icount one nanosecond of virtual time is one guest
instruction, so those figures are instruction counts, and they repeat from run to run.
Never invents a figure: a side that printed nothing says so.
"""
import argparse
import os
import re
import selectors
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "boot"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "host", "qemu"))
import linux_guest  # noqa: E402
import qemu  # noqa: E402

# VectraOS operation -> the Linux operations that do the same work (README.md says why).
COUNTERPARTS = [
    ("null_syscall", ["getppid"]),
    ("signal_wake", ["futex_pingpong"]),
    ("ring_call_0", ["pipe_pingpong", "unix_socket_pingpong"]),
    ("ring_call_64", ["pipe_pingpong", "unix_socket_pingpong"]),
    ("ring_call_cap", ["pipe_pingpong", "unix_socket_pingpong"]),
    ("context_switch", ["sched_yield_switch"]),
]
VECTRA_OPERATIONS = [name for name, _ in COUNTERPARTS]

# seL4's own sel4bench in this same QEMU under -icount: fastpath Call + ReplyRecv, empty message,
# in guest instructions (issue 8). The aarch64 figure was taken on a cortex-a53.
SEL4_ROUND_TRIP = {"x86_64": (453, "Call 213 + ReplyRecv 240"),
                   "aarch64": (514, "Call 245 + ReplyRecv 269, on cortex-a53")}

# Accelerator modes: (QEMU accelerator, extra QEMU arguments, extra Linux command line).
# Linux x86_64 hangs bringing up its second CPU under -icount, so it keeps to one there
# (maxcpus=1; the program can bring CPU 1 online through sysfs); with one CPU every
# ping-pong is on one CPU, where -icount counts instructions and nothing idles.
MODES = {
    "tcg": ("tcg", [], ""),
    "icount": ("tcg", ["-icount", "shift=0"], "maxcpus=1"),
    "kvm": ("kvm", [], ""),
}
MODE_TITLES = {"tcg": "TCG", "kvm": "KVM",
               "icount": "TCG -icount shift=0 (ns = guest instructions, repeatable run to run)"}
# What the Linux console says about mitigations that change its syscall path (notes, not figures).
LINUX_MITIGATIONS = [
    (r"page table isolation forced ON by KASLR|Detected: Kernel page table isolation|"
     r"Kernel/User page tables isolation: enabled", "KPTI on (page tables switched on every kernel entry)"),
]
DEFAULT_ITERATIONS = {"tcg": 1000, "icount": 2000, "kvm": 20000}

LINE = re.compile(r"^bench-ipc (linux|vectra) (\w+)((?: \w+=\S+)*)\s*$")
FIELD = re.compile(r"(\w+)=(\S+)")
DONE = r"^bench-ipc done"
# The VectraOS kernel without a userland says so and idles; stop there rather than time out.
VECTRA_STOP = DONE + r"|^ready: no userland|PANIC"
LINUX_STOP = DONE + r"|Kernel panic"


def parse_lines(output, system):
    """Returns ({name: {field: int}}, {name: {field: text}}) for one system's `bench-ipc`
    lines: the first holds measurements (iterations, ns and ticks all present and iterations
    nonzero), the second every other line with fields (the Linux side's `system` line)."""
    measurements, information = {}, {}
    for raw in output.splitlines():
        match = LINE.match(raw.strip("\r"))
        if not match or match.group(1) != system:
            continue
        name = match.group(2)
        fields = dict(FIELD.findall(match.group(3)))
        try:
            numbers = {key: int(fields[key]) for key in ("iterations", "ns", "ticks")}
        except (KeyError, ValueError):
            information[name] = fields
            continue
        if numbers["iterations"] > 0:
            measurements[name] = numbers
    return measurements, information


def per_operation(measurement):
    """(ticks, ns) per iteration."""
    iterations = measurement["iterations"]
    return measurement["ticks"] / iterations, measurement["ns"] / iterations


def median_per_operation(runs):
    """Given the measurement dicts of several runs, {name: (ticks, ns, runs counted)}: the
    medians per operation over the runs that measured it."""
    names = sorted({name for run in runs for name in run})
    medians = {}
    for name in names:
        values = [per_operation(run[name]) for run in runs if name in run]
        medians[name] = (statistics.median(v[0] for v in values),
                         statistics.median(v[1] for v in values), len(values))
    return medians


def spread(runs, name):
    """The largest relative difference of ns per operation between runs, or None."""
    values = [per_operation(run[name])[1] for run in runs if name in run]
    if len(values) < 2 or min(values) == 0:
        return None
    return (max(values) - min(values)) / min(values)


def number(value):
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def ratio(mine, theirs):
    return f"{mine / theirs:.2f}x" if mine is not None and theirs else "n/a"


class Boot:
    """What one system printed over --runs boots under one mode."""

    def __init__(self):
        self.runs = []        # measurement dicts, one per boot that printed any
        self.information = {}
        self.problem = None   # why this side has no figures, when it has none
        self.notes = set()    # facts the console told about the system measured


def run_boot(command, timeout, stop, silence=None, echo=False):
    """Runs QEMU until `stop` (a regex) shows on its serial console, it ends, `timeout` seconds
    pass, or (when `silence` is set) the console stays quiet for `silence` seconds: VectraOS's
    init idles at its prompt when nothing answers `bench-ipc`. Returns (status or None, serial
    output, QEMU's own messages, why it was stopped or None)."""
    started = last_output = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    selector.register(process.stderr, selectors.EVENT_READ)
    streams, output, messages, stopped = 2, bytearray(), bytearray(), None
    while streams and stopped is None:
        now = time.monotonic()
        if now - started >= timeout:
            stopped = f"no end within {timeout:.0f} s"
        elif silence and now - last_output >= silence:
            stopped = f"console silent for {silence:.0f} s"
        for key, _ in selector.select(0.5):
            chunk = os.read(key.fileobj.fileno(), 65536)
            if not chunk:
                selector.unregister(key.fileobj)
                streams -= 1
            elif key.fileobj is process.stderr:
                messages += chunk
            else:
                output += chunk
                last_output = time.monotonic()
                if echo:
                    sys.stdout.buffer.write(chunk)
                    sys.stdout.flush()
        if stopped is None and re.search(stop, output.decode("utf-8", "replace"), re.MULTILINE):
            stopped = "done"
    if stopped is not None:
        process.kill()
    # Reaped either way: no zombie left behind, and its CPU time counts among this process's
    # children's (bench smp tells the boot's own work from the host's other work by it).
    returned = process.wait()
    status = returned if stopped is None else None
    selector.close()
    process.stdout.close()
    process.stderr.close()
    if stopped == "done":
        stopped = None
    return (status, output.decode("utf-8", "replace").replace("\r\n", "\n"),
            messages.decode("utf-8", "replace"), stopped)


def boot_runs(command, system, runs, timeout, stop, label, verbose, silence=None):
    boot = Boot()
    for run in range(runs):
        if verbose:
            print(f"vectra: {label} run {run + 1}/{runs}: {shlex.join(command)}", flush=True)
        status, output, messages, stopped = run_boot(command, timeout, stop, silence, verbose)
        measurements, information = parse_lines(output, system)
        boot.information.update(information)
        for pattern, note in LINUX_MITIGATIONS if system == "linux" else []:
            if re.search(pattern, output, re.IGNORECASE):
                boot.notes.add(note)
        if measurements:
            boot.runs.append(measurements)
            continue
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        last = f"last console line: {lines[-1]!r}" if lines else "no console output at all"
        qemu_said = [line.strip() for line in messages.splitlines() if line.strip()]
        boot.problem = "no bench-ipc lines"
        if stopped:
            boot.problem += f" ({stopped}; {last})"
        elif status not in (None, 0):
            boot.problem += f" (QEMU ended with status {status}; {last})"
        if qemu_said:
            boot.problem += f"; QEMU said {qemu_said[0]!r}"
        break  # a boot that printed nothing to measure will not on the next run either
    return boot


def run_vectra(arguments, arch, mode):
    accel, extra, _ = MODES[mode]
    try:
        command = qemu.qemu_command(arguments.build, arch, accel, append="bench-ipc") + extra
    except SystemExit as missing:
        boot = Boot()
        boot.problem = str(missing).removeprefix("vectra: ")
        return boot
    return boot_runs(command, "vectra", arguments.runs, arguments.timeout, VECTRA_STOP,
                     f"VectraOS {arch} {mode}", arguments.verbose, arguments.silence)


def run_linux(arguments, arch, mode, kernel):
    accel, extra, append = MODES[mode]
    initramfs = os.path.join(arguments.build, "bench", "ipc", f"initramfs-{arch}.cpio")
    if not os.path.exists(initramfs):
        boot = Boot()
        boot.problem = f"no initramfs at {initramfs} (build the target bench-ipc-initramfs)"
        return boot
    iterations = arguments.iterations or DEFAULT_ITERATIONS[mode]
    command = linux_guest.qemu_command(arch, accel, kernel,
                                       f"panic=-1 {append} bench_iterations={iterations}",
                                       initrd=initramfs, extra=extra)
    timeout = arguments.kvm_timeout if accel == "kvm" else arguments.timeout
    boot = boot_runs(command, "linux", arguments.runs, timeout, LINUX_STOP,
                     f"Linux {arch} {mode}", arguments.verbose)
    if boot.problem and accel == "kvm" and not boot.runs:
        boot.problem += ("; this /dev/kvm is slow for Linux (a nested, software hypervisor "
                         "here boots Linux in minutes, if at all)")
    return boot


def tick_note(arch, mode, linux):
    if arch == "aarch64":
        hz = linux.information.get("system", {}).get("tick_hz", "CNTFRQ")
        return f"ticks = CNTVCT_EL0 counts at CNTFRQ_EL0 ({hz} Hz), not CPU cycles"
    if mode == "icount":
        return "ticks = TSC, which QEMU derives from the instruction count under -icount"
    return "ticks = TSC cycles" + (" (QEMU's host-clock TSC under TCG)" if mode == "tcg" else "")


def print_table(arch, mode, vectra, linux, runs):
    title = f"{arch} · {MODE_TITLES[mode]} · median of {runs} run{'s' if runs > 1 else ''}"
    print(f"\n{title}\n{'=' * min(len(title), 100)}")
    kernel = linux.information.get("system", {}).get("kernel")
    if kernel:
        notes = "".join(f"; {note}" for note in sorted(linux.notes))
        print(f"Linux {kernel}, same QEMU machine, CPU model and memory as VectraOS{notes}")
    print(tick_note(arch, mode, linux))
    unit = "instr/op" if mode == "icount" else "ns/op"
    if not vectra.runs:
        print(f"VectraOS side: not available ({vectra.problem or 'no bench-ipc lines'})")
    if not linux.runs:
        print(f"Linux side: not available ({linux.problem or 'no bench-ipc lines'})")
    if not vectra.runs and not linux.runs:
        return  # a table of n/a says nothing the two lines above have not
    vectra_medians = median_per_operation(vectra.runs)
    linux_medians = median_per_operation(linux.runs)

    header = (f"{'VectraOS operation':20} {'ticks/op':>10} {unit:>10}   {'Linux operation':30} "
              f"{'ticks/op':>10} {unit:>10}   {'VectraOS÷Linux':>14}")
    print(header)
    print("-" * len(header))
    for name, linux_names in COUNTERPARTS:
        mine = vectra_medians.get(name)
        for index, linux_name in enumerate(linux_names):
            theirs = linux_medians.get(linux_name)
            left = (f"{name:20} {number(mine and mine[0]):>10} {number(mine and mine[1]):>10}"
                    if index == 0 else " " * 42)
            print(f"{left}   {linux_name:30} {number(theirs and theirs[0]):>10} "
                  f"{number(theirs and theirs[1]):>10}   "
                  f"{ratio(mine and mine[1], theirs and theirs[1]):>14}")
    extra_vectra = sorted(set(vectra_medians) - set(VECTRA_OPERATIONS))
    extra_linux = sorted(set(linux_medians) - {n for _, names in COUNTERPARTS for n in names})
    for name in extra_vectra:
        print(f"{name:20} {number(vectra_medians[name][0]):>10} {number(vectra_medians[name][1]):>10}")
    for name in extra_linux:
        print(f"{'':42}   {name:30} {number(linux_medians[name][0]):>10} "
              f"{number(linux_medians[name][1]):>10}   (Linux only)")
    print("Linux ping-pongs are round trips on one CPU (two wake-ups or two 1-byte messages);"
          " sched_yield_switch is per switch (SCHED_FIFO pair on one CPU)")

    if mode == "icount":
        sel4, detail = SEL4_ROUND_TRIP[arch]
        mine = vectra_medians.get("ring_call_0")
        print(f"seL4 anchor: Call/ReplyRecv round trip {sel4} instructions ({detail}); "
              f"ring_call_0 {number(mine and mine[1])} → VectraOS÷seL4 "
              f"{ratio(mine and mine[1], sel4)} (aim: at most 1.5x)")
        for system, boot in (("VectraOS", vectra), ("Linux", linux)):
            if len(boot.runs) > 1:
                worst, name = max(((spread(boot.runs, name) or 0.0), name) for name in boot.runs[0])
                if worst < 0.00005:
                    print(f"{system}: the {len(boot.runs)} runs agree to 0.01% or better")
                else:
                    print(f"{system}: the {len(boot.runs)} runs differ by at most {worst * 100:.2f}% "
                          f"per operation ({name}; timer interrupts land differently)")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", required=True, help="the build directory")
    parser.add_argument("--arch", action="append", choices=sorted(qemu.ARCHITECTURES),
                        help="only this architecture (repeatable; default both)")
    parser.add_argument("--accel", action="append", choices=sorted(MODES),
                        help="only this mode: tcg, icount, kvm (repeatable; default all usable)")
    parser.add_argument("--runs", type=int, default=3, help="boots per system and mode (median)")
    parser.add_argument("--iterations", type=int,
                        help="Linux round trips per measurement (getppid: ten times that); "
                             "default %s" % ", ".join(f"{k} {v}" for k, v in DEFAULT_ITERATIONS.items()))
    parser.add_argument("--timeout", type=float, default=300, help="seconds per boot under TCG")
    parser.add_argument("--kvm-timeout", type=float, default=90,
                        help="seconds per Linux boot under KVM before it is reported unusable")
    parser.add_argument("--silence", type=float, default=60,
                        help="seconds of a silent VectraOS console after which its boot is given up")
    parser.add_argument("--verbose", action="store_true", help="echo the consoles")
    arguments = parser.parse_args()
    if arguments.runs < 1:
        parser.error("--runs must be at least 1")
    if arguments.iterations is not None and arguments.iterations < 1:
        parser.error("--iterations must be at least 1")

    architectures = arguments.arch or list(qemu.ARCHITECTURES)
    print(f"bench ipc: VectraOS beside Linux in the same QEMU, median of {arguments.runs} runs "
          "(figures are per operation; the ratio compares ns, or instructions under -icount)",
          flush=True)
    for arch in architectures:
        try:
            kernel = linux_guest.ensure_kernel(arch)
        except RuntimeError as error:
            kernel, why = None, str(error)
        modes = arguments.accel or ["tcg", "icount", "kvm"]
        for mode in modes:
            if mode == "kvm" and (arch != qemu.HOST_ARCH or not qemu.kvm_usable()):
                reason = (f"{arch} guest on a {qemu.HOST_ARCH} host" if arch != qemu.HOST_ARCH
                          else "/dev/kvm is missing or not usable")
                print(f"\n{arch} · KVM: skipped ({reason})")
                continue
            vectra = run_vectra(arguments, arch, mode)
            if kernel:
                linux = run_linux(arguments, arch, mode, kernel)
            else:
                linux = Boot()
                linux.problem = why
            print_table(arch, mode, vectra, linux, arguments.runs)
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
