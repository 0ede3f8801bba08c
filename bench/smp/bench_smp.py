#!/usr/bin/env python3
"""./vectra bench smp: VectraOS on several CPUs beside Linux doing the same in the same QEMU.

Per architecture, boots VectraOS (user/bench-smp, packed beside the build's boot bundle and
started with run=bench-smp) and Debian's Linux kernel (this folder's initramfs, whose /init is
linux/main.cpp) on the same QEMU machine, parses the `bench-smp <system> <name> iterations=N
ns=T ticks=K` lines both print (README.md beside this file), and prints per row the median over
--runs boots of each side, their ratio, and the unit and method of the row.

Modes:
  mttcg   TCG with one host thread per virtual CPU (-accel tcg,thread=multi), -smp 4, wall
          clock. Every row; the only mode in which CPUs run at the same time, so the only one
          for cross-CPU latency and scaling. Noisy: the host is shared, and has few cores.
  icount  TCG with -icount shift=0: one host thread runs the virtual CPUs in turn, and one
          nanosecond of virtual time is one guest instruction. Same-CPU rows and the mutex in
          guest instructions, repeatable; cross-CPU rows count every CPU's instructions while
          the others wait their turn, so they are shown as indicative only; no spinning rows,
          no scaling (one host thread cannot scale).
Never invents a figure: a side that printed nothing says so.
"""
import argparse
import os
import re
import resource
import shlex
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "boot"))
sys.path.insert(0, os.path.join(HERE, "..", "ipc"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "host", "qemu"))
import bench_ipc  # noqa: E402  (its QEMU runner)
import linux_guest  # noqa: E402
import qemu  # noqa: E402

LINE = re.compile(r"^bench-smp (linux|vectra) (\w+)((?: \w+=\S+)*)\s*$")
FIELD = re.compile(r"(\w+)=(\S+)")
DONE = r"^bench-smp done"
VECTRA_STOP = DONE + r"|^ready: no userland|PANIC|init: run=bench-smp could not start"
LINUX_STOP = DONE + r"|Kernel panic"
WORKER_COUNTS = (1, 2, 4)

# mode -> (QEMU -accel value, extra QEMU arguments, CPUs, Linux command line, program options)
MODES = {
    "mttcg": ("tcg,thread=multi", [], 4, "", ""),
    # Linux x86_64 hangs bringing up a second CPU under -icount (bench/ipc/README.md): it boots
    # with one and the program brings the other online through sysfs.
    "icount": ("tcg", ["-icount", "shift=0"], 2, "maxcpus=1 bench_online_cpus=2",
               "bench_no_workers=1 bench_no_idle_wake=1"),
    # For the CTest: every row exercised cheaply, one host thread (beside other tests on a small
    # host), two CPUs. Its figures measure nothing worth keeping.
    "smoke": ("tcg,thread=single", [], 2, "quiet", ""),
}
MODE_TITLES = {
    "mttcg": "TCG, one host thread per CPU (MTTCG), -smp 4, wall clock",
    "icount": "TCG -icount shift=0, -smp 2, one host thread: ns = guest instructions",
    "smoke": "smoke test: TCG, one host thread, -smp 2 (checks the bench works; figures mean nothing)",
}
DEFAULT_ITERATIONS = {"mttcg": 500, "icount": 1000, "smoke": 10}
DEFAULT_WORK = 100_000_000  # xorshift steps per worker

# The rows: (title, VectraOS name, Linux name, what one iteration is, kind). Kind "latency":
# ns per iteration, smaller is better; the cross-CPU kinds are flagged under icount.
LATENCY_ROWS = [
    ("round trip, same CPU", "ring_same_cpu", "pipe_same_cpu",
     "VectraOS Ring call+reply (0 bytes), Tasks on CPU 0; Linux 1-byte pipe there and back, processes on CPU 0", "same"),
    ("round trip, across CPUs", "ring_cross_cpu", "pipe_cross_cpu",
     "the same with the server on CPU 1", "cross"),
    ("futex ping-pong, same CPU", "futex_pingpong_same_cpu", "futex_pingpong_same_cpu",
     "round trip: wake the other, wait for its wake (two threads of one Task / process)", "same"),
    ("futex ping-pong, across CPUs", "futex_pingpong_cross_cpu", "futex_pingpong_cross_cpu",
     "the same with the partner on CPU 1", "cross"),
    ("futex wake-to-run, idle CPU", "idle_wake_to_run", "idle_wake_to_run",
     "one way: clock read before futex_wake on CPU 0 to the waiter's clock read on CPU 1 "
     "after futex_wait returns (it slept; CPU 1 idle)", "spin"),
    ("idle-CPU wake round trip", "idle_wake_round_trip", "idle_wake_round_trip",
     "IPI round trip as user mode sees it: futex_wake of a waiter on idle CPU 1, until its "
     "answer (a plain store) is seen by CPU 0 spinning", "spin"),
    ("uncontended futex mutex", "mutex_uncontended", "mutex_uncontended",
     "lock + unlock, user-space compare-exchange fast path, no syscall", "same"),
]


def parse_lines(output, system):
    """({name: {iterations, ns, ticks}}, {name: {field: text}}) for one system's lines: the
    first holds measurements (all three numbers, iterations nonzero), the second the rest."""
    measurements, information = {}, {}
    for raw in output.splitlines():
        match = LINE.match(raw.strip("\r"))
        if not match or match.group(1) != system:
            continue
        fields = dict(FIELD.findall(match.group(3)))
        try:
            numbers = {key: int(fields[key]) for key in ("iterations", "ns", "ticks")}
        except (KeyError, ValueError):
            information[match.group(2)] = fields
            continue
        for key in ("median_ns", "median_ticks", "slowest_ns", "repeats"):
            if fields.get(key, "").isdigit():
                numbers[key] = int(fields[key])
        if numbers["iterations"] > 0:
            measurements[match.group(2)] = numbers
    return measurements, information


def errors_in(output, system):
    return [line.strip() for line in output.splitlines()
            if line.strip().startswith(f"bench-smp {system} error")]


def mean_ns(measurement):
    return measurement["ns"] / measurement["iterations"]


def median_round_ns(measurement):
    """The median round in ns: given, or the median in ticks scaled by the run's ns per tick;
    the mean where the program kept no samples."""
    if "median_ns" in measurement:
        return measurement["median_ns"]
    if "median_ticks" in measurement and measurement["ticks"] > 0:
        return measurement["median_ticks"] * measurement["ns"] / measurement["ticks"]
    return mean_ns(measurement)


def median_over_runs(runs, name, figure=median_round_ns):
    """The median over runs of one figure per run (default: the median round)."""
    values = [figure(run[name]) for run in runs if name in run]
    return statistics.median(values) if values else None


def median_throughput(runs, name, key="ns"):
    """Work steps per microsecond (all workers together), median over runs; `key` "ns" is the
    fastest of a run's repeats, "slowest_ns" the slowest."""
    values = [run[name]["iterations"] * 1000 / run[name][key] for run in runs
              if name in run and run[name].get(key)]
    return statistics.median(values) if values else None


def scaling(runs, kind, count):
    """Median over runs of throughput(count) / throughput(1), each run against its own N = 1."""
    values = []
    for run in runs:
        one, many = run.get(f"workers_{kind}_1"), run.get(f"workers_{kind}_{count}")
        if one and many and one["ns"] and many["ns"]:
            values.append((many["iterations"] / many["ns"]) / (one["iterations"] / one["ns"]))
    return statistics.median(values) if values else None


def host_busy_seconds():
    """CPU seconds the host's CPUs have been busy since it booted (/proc/stat), or None."""
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def children_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_other_work(run):
    """Runs `run()` (one boot, whose QEMU is a child it waits for) and returns its result and how
    many host CPUs other work kept busy meanwhile, on average: the host's busy time less what
    the boot's own QEMU used, over the wall time. The load average cannot say this: it counts
    the bench's own QEMUs too, and lags them by a minute."""
    busy, own, started = host_busy_seconds(), children_seconds(), time.monotonic()
    result = run()
    wall = time.monotonic() - started
    busy_after = host_busy_seconds()
    if busy is None or busy_after is None or wall <= 0:
        return result, None
    other = (busy_after - busy) - (children_seconds() - own)
    return result, max(0.0, other / wall)


class Boot:
    def __init__(self):
        self.runs = []
        self.information = {}
        self.errors = []
        self.problem = None
        self.other_work = []  # host CPUs other work kept busy during each boot, on average
        self.incomplete = []  # runs that printed some figures, then stopped


def boot_runs(command, system, runs, timeout, stop, label, verbose, silence=None):
    boot = Boot()
    for run in range(runs):
        if verbose:
            print(f"vectra: {label} run {run + 1}/{runs}: {shlex.join(command)}", flush=True)
        (status, output, messages, stopped), other = measure_other_work(
            lambda: bench_ipc.run_boot(command, timeout, stop, silence, verbose))
        if other is not None:
            boot.other_work.append(other)
        measurements, information = parse_lines(output, system)
        boot.information.update(information)
        boot.errors += [e for e in errors_in(output, system) if e not in boot.errors]
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        last = f"last console line: {lines[-1]!r}" if lines else "no console output at all"
        if measurements:
            boot.runs.append(measurements)
            if stopped:  # figures up to the stop count; say the rest is missing, and why
                boot.incomplete.append(f"run {run + 1} stopped before its end ({stopped}; {last})")
            continue
        boot.problem = "no bench-smp lines"
        if stopped:
            boot.problem += f" ({stopped}; {last})"
        elif status not in (None, 0):
            boot.problem += f" (QEMU ended with status {status}; {last})"
        qemu_said = [line.strip() for line in messages.splitlines() if line.strip()]
        if qemu_said:
            boot.problem += f"; QEMU said {qemu_said[0]!r}"
        break  # a boot that printed nothing to measure will not on the next run either
    return boot


def with_accelerator(command, accel):
    command = list(command)
    command[command.index("-accel") + 1] = accel
    return command


def program_options(arguments, mode):
    iterations = arguments.iterations or DEFAULT_ITERATIONS[mode]
    work = arguments.work if arguments.work is not None else DEFAULT_WORK
    return f"bench_iterations={iterations} bench_work={work} {MODES[mode][4]}".strip()


def vectra_program(build, arch):
    return os.path.join(build, "user", arch, "bin", "bench-smp")


def run_vectra(arguments, arch, mode):
    accel, extra, cpus, _, _ = MODES[mode]
    boot = Boot()
    program = vectra_program(arguments.build, arch)
    base = qemu.boot_bundle_path(arguments.build, arch)
    if not os.path.exists(program) or base is None:
        boot.problem = f"no {program} or boot bundle (build first)"
        return boot
    descriptor, bundle = tempfile.mkstemp(prefix="vectra-bench-smp-", suffix=".img")
    os.close(descriptor)
    try:
        qemu.pack_with_programs(arguments.build, base, [program], bundle)
        append = f"run=bench-smp -- {program_options(arguments, mode)}"
        command = qemu.qemu_command(arguments.build, arch, "tcg", smp=cpus, append=append, initrd=bundle)
        command = with_accelerator(command, accel) + extra
        return boot_runs(command, "vectra", arguments.runs, arguments.timeout, VECTRA_STOP,
                         f"VectraOS {arch} {mode}", arguments.verbose, arguments.silence)
    except SystemExit as missing:
        boot.problem = str(missing).removeprefix("vectra: ")
        return boot
    finally:
        os.unlink(bundle)


def run_linux(arguments, arch, mode, kernel):
    accel, extra, cpus, append, _ = MODES[mode]
    boot = Boot()
    initramfs = os.path.join(arguments.build, "bench", "smp", f"initramfs-{arch}.cpio")
    if not os.path.exists(initramfs):
        boot.problem = f"no initramfs at {initramfs} (build the target bench-smp-initramfs)"
        return boot
    command = linux_guest.qemu_command(arch, "tcg", kernel,
                                       f"panic=-1 {append} {program_options(arguments, mode)}",
                                       initrd=initramfs, smp=cpus, extra=extra)
    command = with_accelerator(command, accel)
    return boot_runs(command, "linux", arguments.runs, arguments.timeout, LINUX_STOP,
                     f"Linux {arch} {mode}", arguments.verbose)


def number(value):
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}" if value < 10 else f"{value:.1f}"


def ratio(mine, theirs):
    return f"{mine / theirs:.2f}x" if mine is not None and theirs else "n/a"


def times(value):
    return "n/a" if value is None else f"{value:.2f}x"


def print_table(arch, mode, vectra, linux, runs, host_cpus):
    title = f"{arch} · {MODE_TITLES[mode]} · median of {runs} run{'s' if runs > 1 else ''}"
    print(f"\n{title}\n{'=' * min(len(title), 100)}")
    kernel = linux.information.get("system", {}).get("kernel")
    cpus = {system: boot.information.get("system", {}).get("cpus", "?")
            for system, boot in (("VectraOS", vectra), ("Linux", linux))}
    print(f"CPUs seen: VectraOS {cpus['VectraOS']}, Linux {kernel or '?'} {cpus['Linux']}; "
          f"same QEMU machine, CPU model, memory and -smp")
    other = vectra.other_work + linux.other_work
    if other:
        print(f"other work on the host during the boots: {min(other):.2f} to {max(other):.2f} of its "
              f"{host_cpus} CPUs busy on average" + (" (busy: wall-clock figures are disturbed)"
                                                       if max(other) >= OTHER_WORK_LIMIT and mode != "icount" else ""))
    for system, boot in (("VectraOS", vectra), ("Linux", linux)):
        if not boot.runs:
            print(f"{system} side: not available ({boot.problem or 'no bench-smp lines'})")
        for error in boot.errors:
            print(f"{system} said: {error}")
        for note in boot.incomplete:
            print(f"{system}: {note}")
    if not vectra.runs and not linux.runs:
        return
    unit = "instr" if mode == "icount" else "ns"
    print(f"Per operation, {unit}: the median round of each run (per-round ticks scaled by the "
          f"run's {unit} per tick), median over runs; the mean round beside it")
    header = (f"{'row':30} {'VectraOS':>11} {'Linux':>11} {'VectraOS÷Linux':>15}   "
              f"{'mean: VectraOS':>14} {'Linux':>11}")
    print(header)
    print("-" * len(header))
    for title, mine_name, theirs_name, method, kind in LATENCY_ROWS:
        mine = median_over_runs(vectra.runs, mine_name)
        theirs = median_over_runs(linux.runs, theirs_name)
        if mine is None and theirs is None and mode == "icount" and kind == "spin":
            continue
        mine_mean = median_over_runs(vectra.runs, mine_name, mean_ns)
        theirs_mean = median_over_runs(linux.runs, theirs_name, mean_ns)
        print(f"{title:30} {number(mine):>11} {number(theirs):>11} {ratio(mine, theirs):>15}   "
              f"{number(mine_mean):>14} {number(theirs_mean):>11}")
        note = method
        if mode == "icount" and kind == "cross":
            note = "indicative only (every CPU's instructions, the CPUs run in turn); " + method
        print(f"    {note}")
    crossings = []
    for system, boot, cross, same in (("VectraOS Ring", vectra, "ring_cross_cpu", "ring_same_cpu"),
                                      ("Linux pipe", linux, "pipe_cross_cpu", "pipe_same_cpu"),
                                      ("VectraOS futex", vectra, "futex_pingpong_cross_cpu", "futex_pingpong_same_cpu"),
                                      ("Linux futex", linux, "futex_pingpong_cross_cpu", "futex_pingpong_same_cpu")):
        crossings.append(f"{system} {ratio(median_over_runs(boot.runs, cross), median_over_runs(boot.runs, same))}")
    print("across CPUs ÷ on one CPU (medians): " + ", ".join(crossings))
    if mode == "icount":
        print("Under -icount one host thread runs the CPUs in turn: no scaling rows (see the MTTCG table)")
        return
    print_scaling(vectra, linux, host_cpus, mode, max(other) if other else 0.0)


# Other work that keeps this much of a host CPU busy, on average, during a boot disturbs the
# wall-clock figures enough that the scaling is not judged.
OTHER_WORK_LIMIT = 0.25


def print_scaling(vectra, linux, host_cpus, mode, other_work=0.0):
    has_workers = any(name.startswith("workers_") for boot in (vectra, linux) for run in boot.runs for name in run)
    if not has_workers:
        print("Throughput: not measured (bench_work=0)")
        return
    repeats = sorted({str(run[name].get("repeats", 1)) for boot in (vectra, linux) for run in boot.runs
                      for name in run if name.startswith("workers_")})
    print(f"\nThroughput of N independent CPU-bound workers (the same xorshift loop on both; VectraOS: "
          f"N threads of one Task, Linux: N threads of one process), work steps per µs of wall clock, "
          f"all workers together; each boot releases them {'/'.join(repeats)} times: the fastest "
          f"release (least disturbed by the host) and the slowest, median over runs")
    header = (f"{'workers':24} {'VectraOS':>10} {'Linux':>10} {'VectraOS÷Linux':>15}   "
              f"{'slowest: VectraOS':>17} {'Linux':>10}")
    print(header)
    print("-" * len(header))
    for kind, words in (("pinned", "one per CPU"), ("free", "unpinned")):
        for count in WORKER_COUNTS:
            name = f"workers_{kind}_{count}"
            mine, theirs = median_throughput(vectra.runs, name), median_throughput(linux.runs, name)
            if mine is None and theirs is None:
                continue
            print(f"{f'N={count}, {words}':24} {number(mine):>10} {number(theirs):>10} {ratio(mine, theirs):>15}   "
                  f"{number(median_throughput(vectra.runs, name, 'slowest_ns')):>17} "
                  f"{number(median_throughput(linux.runs, name, 'slowest_ns')):>10}")
    for kind, words in (("pinned", "one per CPU"), ("free", "unpinned")):
        parts = []
        for count in WORKER_COUNTS[1:]:
            mine, theirs = scaling(vectra.runs, kind, count), scaling(linux.runs, kind, count)
            if mine is not None or theirs is not None:
                parts.append(f"1→{count}: VectraOS {times(mine)}, Linux {times(theirs)}")
        print(f"scaling (fastest releases), {words}: " + ("; ".join(parts) or "n/a"))
    for kind, words in (("pinned", "one per CPU"), ("free", "unpinned")):
        mine, theirs = scaling(vectra.runs, kind, 4), scaling(linux.runs, kind, 4)
        if mine is None or theirs is None:
            verdict = "not measured on both sides"
        else:
            # Within 5%: the two share one noisy host, and runs differ by that much.
            verdict = "met" if mine >= theirs * 0.95 else "not met"
        print(f"aim, {words}: scaling 1→4 at least as good as Linux's in the same VM: {verdict}")
    if mode != "mttcg":
        print("One host thread runs every CPU in this mode: the scaling above is not a measurement")
        return
    print(f"This host has {host_cpus} CPU{'s' if host_cpus != 1 else ''}: with more virtual CPUs busy "
          f"than that, MTTCG scaling is capped near {host_cpus}x for both systems alike, so compare "
          f"the two ratios, not either with 4x.")
    if other_work >= OTHER_WORK_LIMIT:
        print(f"Other work kept up to {other_work:.2f} of the host's CPUs busy during a boot: it took CPUs "
              f"more virtual CPUs would need, so the aim is not judged by this run; rerun on a quiet host.")


def expected_names(mode, system):
    """What a complete run of `system` prints in `mode`."""
    names = []
    for _, mine, theirs, _, kind in LATENCY_ROWS:
        if mode == "icount" and kind == "spin":
            continue
        names.append(mine if system == "vectra" else theirs)
    if mode != "icount":
        cpus = MODES[mode][2]
        names += [f"workers_{kind}_{count}" for kind in ("pinned", "free") for count in WORKER_COUNTS
                  if count <= cpus]
    return names


def missing_figures(mode, vectra, linux):
    """For --check: one line per side that lacks figures a complete run prints (empty: none)."""
    problems = []
    for system, label, boot in (("vectra", "VectraOS", vectra), ("linux", "Linux", linux)):
        if not boot.runs:
            problems.append(f"{label}: no figures ({boot.problem or 'no bench-smp lines'})")
            continue
        for run in boot.runs:
            missing = [name for name in expected_names(mode, system) if name not in run]
            if missing:
                problems.append(f"{label}: a run lacks {', '.join(missing)}")
                break
        if boot.errors:
            problems.append(f"{label}: {boot.errors[0]}")
        problems += [f"{label}: {note}" for note in boot.incomplete]
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", required=True, help="the build directory")
    parser.add_argument("--arch", action="append", choices=sorted(qemu.ARCHITECTURES),
                        help="only this architecture (repeatable; default both)")
    parser.add_argument("--mode", action="append", choices=sorted(MODES),
                        help="mttcg (wall clock, -smp 4), icount (instructions, -smp 2) or smoke "
                             "(a cheap run of every row, for the CTest); repeatable; default mttcg")
    parser.add_argument("--runs", type=int, default=3, help="boots per system and mode (median)")
    parser.add_argument("--iterations", type=int,
                        help="round trips per latency row (the mutex: 100 times that); default "
                             + ", ".join(f"{k} {v}" for k, v in DEFAULT_ITERATIONS.items()))
    parser.add_argument("--work", type=int,
                        help=f"xorshift steps per worker (0: no throughput rows); default {DEFAULT_WORK:,}")
    parser.add_argument("--quick", action="store_true",
                        help="one run, few iterations, little work: checks the bench works, measures little")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per boot")
    parser.add_argument("--silence", type=float, default=240,
                        help="seconds of a silent VectraOS console after which its boot is given up")
    parser.add_argument("--verbose", action="store_true", help="echo the consoles")
    parser.add_argument("--check", action="store_true",
                        help="exit with status 1 when a side lacks a figure a complete run prints")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.runs = 1
        arguments.iterations = arguments.iterations or 50
        arguments.work = 200_000 if arguments.work is None else arguments.work
    elif arguments.work is None and arguments.mode == ["smoke"]:
        arguments.work = 100_000
    if arguments.runs < 1:
        parser.error("--runs must be at least 1")
    if arguments.iterations is not None and arguments.iterations < 1:
        parser.error("--iterations must be at least 1")

    architectures = arguments.arch or list(qemu.ARCHITECTURES)
    host_cpus = os.cpu_count() or 1
    print(f"bench smp: VectraOS beside Linux in the same QEMU, median of {arguments.runs} "
          f"run{'s' if arguments.runs > 1 else ''} per side (ratios compare per-operation figures; "
          f"this host: {host_cpus} CPUs, shared)", flush=True)
    problems = []
    for arch in architectures:
        try:
            kernel, why = linux_guest.ensure_kernel(arch), None
        except RuntimeError as error:
            kernel, why = None, str(error)
        for mode in arguments.mode or ["mttcg"]:
            vectra = run_vectra(arguments, arch, mode)
            if kernel:
                linux = run_linux(arguments, arch, mode, kernel)
            else:
                linux = Boot()
                linux.problem = why
            print_table(arch, mode, vectra, linux, arguments.runs, host_cpus)
            problems += [f"{arch} {mode}: {problem}" for problem in missing_figures(mode, vectra, linux)]
            sys.stdout.flush()
    if arguments.check and problems:
        print("\nbench smp --check: incomplete\n  " + "\n  ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
