#!/usr/bin/env python3
"""Checks of `bench smp`, so it cannot rot: the line parser, the medians and scaling arithmetic,
the table's refusal to invent figures, the x86_64 Linux program run as an ordinary process (on
an x86_64 host, when built), and (with VECTRA_BENCH_SMP_SMOKE=1) the whole bench in its smoke
mode on x86_64: VectraOS and Linux each booted once with two CPUs in one host thread, every row
printed and parsed (about 15 s)."""
import contextlib
import io
import os
import platform
import subprocess
import sys
import unittest

import bench_smp

HERE = os.path.dirname(os.path.abspath(__file__))

CONSOLE = """\
[    1.70] Run /init as init process\r
bench-smp linux system kernel=6.1.0-57-amd64 cpus=4 iterations=50 work=200000\r
bench-smp linux pipe_same_cpu iterations=50 ns=5000000 ticks=10000000 median_ticks=150000
bench-smp linux idle_wake_to_run iterations=26 ns=2600000 ticks=0 median_ns=70000
bench-smp linux mutex_uncontended iterations=5000 ns=500000 ticks=1000000
bench-smp linux futex_pingpong_same_cpu iterations=50 ns=12[    2.0] random: crng init done
bench-smp linux error clone thread errno=12
bench-smp linux workers_free_1 iterations=0 ns=1 ticks=1
bench-smp vectra ring_same_cpu iterations=50 ns=500000 ticks=1000000 median_ticks=16000
bench-smp done
"""


def run_lines(system, figures):
    """Console text for one run: {name: (iterations, ns, ticks)}."""
    return "".join(f"bench-smp {system} {name} iterations={i} ns={ns} ticks={ticks}\n"
                   for name, (i, ns, ticks) in figures.items())


class ConsoleLines(unittest.TestCase):
    def test_measurements_and_their_medians_are_parsed_per_system(self):
        linux, information = bench_smp.parse_lines(CONSOLE, "linux")
        self.assertEqual(sorted(linux), ["idle_wake_to_run", "mutex_uncontended", "pipe_same_cpu"])
        self.assertEqual(linux["pipe_same_cpu"],
                         {"iterations": 50, "ns": 5000000, "ticks": 10000000, "median_ticks": 150000})
        self.assertEqual(information["system"]["cpus"], "4")
        vectra, _ = bench_smp.parse_lines(CONSOLE, "vectra")
        self.assertEqual(list(vectra), ["ring_same_cpu"])
        self.assertEqual(bench_smp.errors_in(CONSOLE, "linux"), ["bench-smp linux error clone thread errno=12"])

    def test_a_broken_line_or_one_with_no_iterations_is_not_a_measurement(self):
        linux, _ = bench_smp.parse_lines(CONSOLE, "linux")
        self.assertNotIn("futex_pingpong_same_cpu", linux)
        self.assertNotIn("workers_free_1", linux)

    def test_the_median_round_is_scaled_from_ticks_or_given_in_ns(self):
        linux, _ = bench_smp.parse_lines(CONSOLE, "linux")
        self.assertEqual(bench_smp.median_round_ns(linux["pipe_same_cpu"]), 75000)  # 150,000 ticks at 0.5 ns
        self.assertEqual(bench_smp.median_round_ns(linux["idle_wake_to_run"]), 70000)
        self.assertEqual(bench_smp.median_round_ns(linux["mutex_uncontended"]), 100)  # no samples: the mean
        self.assertEqual(bench_smp.mean_ns(linux["pipe_same_cpu"]), 100000)


class Arithmetic(unittest.TestCase):
    def test_scaling_is_per_run_then_the_median(self):
        runs = [{"workers_pinned_1": {"iterations": 100, "ns": 100, "ticks": 1},
                 "workers_pinned_4": {"iterations": 400, "ns": 200, "ticks": 1}},
                {"workers_pinned_1": {"iterations": 100, "ns": 50, "ticks": 1},
                 "workers_pinned_4": {"iterations": 400, "ns": 400, "ticks": 1}},
                {"workers_pinned_1": {"iterations": 100, "ns": 100, "ticks": 1},
                 "workers_pinned_4": {"iterations": 400, "ns": 100, "ticks": 1}}]
        self.assertEqual(bench_smp.scaling(runs, "pinned", 4), 2.0)  # 2, 0.5 and 4
        self.assertIsNone(bench_smp.scaling(runs, "free", 4))
        self.assertEqual(bench_smp.median_throughput(runs, "workers_pinned_1"), 1000)  # steps per µs

    def test_a_complete_run_is_what_check_expects_and_a_gap_is_named(self):
        complete = {name: {"iterations": 1, "ns": 1, "ticks": 1}
                    for name in bench_smp.expected_names("smoke", "vectra")}
        vectra, linux = bench_smp.Boot(), bench_smp.Boot()
        vectra.runs = [complete]
        linux.runs = [{name: {"iterations": 1, "ns": 1, "ticks": 1}
                       for name in bench_smp.expected_names("smoke", "linux") if name != "pipe_cross_cpu"}]
        self.assertEqual(bench_smp.missing_figures("smoke", vectra, linux),
                         ["Linux: a run lacks pipe_cross_cpu"])
        self.assertNotIn("workers_pinned_4", complete)  # smoke has two CPUs
        self.assertNotIn("idle_wake_to_run", bench_smp.expected_names("icount", "linux"))


class Table(unittest.TestCase):
    def table(self, vectra_output, linux_output, mode="mttcg"):
        vectra, linux = bench_smp.Boot(), bench_smp.Boot()
        for boot, output, system in ((vectra, vectra_output, "vectra"), (linux, linux_output, "linux")):
            measurements, boot.information = bench_smp.parse_lines(output, system)
            if measurements:
                boot.runs.append(measurements)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            bench_smp.print_table("x86_64", mode, vectra, linux, 1, 2)
        return printed.getvalue()

    def test_without_vectra_lines_the_table_says_so_and_invents_nothing(self):
        text = self.table("ready: no userland\n", CONSOLE)
        self.assertIn("VectraOS side: not available (no bench-smp lines)", text)
        row = next(line for line in text.splitlines() if line.startswith("round trip, same CPU"))
        self.assertEqual(row.split()[4:6], ["n/a", "75,000"])

    def test_ratios_and_the_aim_are_computed_from_the_figures(self):
        vectra = run_lines("vectra", {"ring_same_cpu": (10, 1000, 1000),
                                      "workers_pinned_1": (100, 1000, 1), "workers_pinned_2": (200, 1000, 1),
                                      "workers_pinned_4": (400, 1000, 1)})
        linux = run_lines("linux", {"pipe_same_cpu": (10, 4000, 4000),
                                    "workers_pinned_1": (100, 1000, 1), "workers_pinned_2": (200, 1000, 1),
                                    "workers_pinned_4": (400, 2000, 1)})
        text = self.table(vectra, linux)
        row = next(line for line in text.splitlines() if line.startswith("round trip, same CPU"))
        self.assertIn("0.25x", row)  # 100 ns beside 400
        self.assertIn("scaling (fastest releases), one per CPU: 1→2: VectraOS 2.00x, Linux 2.00x; 1→4: VectraOS 4.00x, Linux 2.00x", text)
        self.assertIn("aim, one per CPU: scaling 1→4 at least as good as Linux's in the same VM: met", text)
        self.assertIn("aim, unpinned: scaling 1→4 at least as good as Linux's in the same VM: not measured", text)
        self.assertIn("This host has 2 CPUs", text)


class Runner(unittest.TestCase):
    def test_a_run_that_stops_half_way_keeps_its_figures_and_says_it_stopped(self):
        script = ("import sys, time\n"
                  "print('bench-smp vectra ring_same_cpu iterations=5 ns=50 ticks=50', flush=True)\n"
                  "time.sleep(30)")
        boot = bench_smp.boot_runs([sys.executable, "-c", script], "vectra", 1, 20, bench_smp.VECTRA_STOP,
                                   "fake", False, silence=1)
        self.assertEqual(list(boot.runs[0]), ["ring_same_cpu"])
        self.assertEqual(len(boot.incomplete), 1)
        self.assertIn("console silent for 1 s", boot.incomplete[0])
        vectra, linux = bench_smp.Boot(), bench_smp.Boot()
        vectra.runs, vectra.incomplete = boot.runs, boot.incomplete
        linux.runs = vectra.runs
        self.assertIn("VectraOS: run 1 stopped before its end (console silent for 1 s; last console line: "
                      "'bench-smp vectra ring_same_cpu iterations=5 ns=50 ticks=50')",
                      bench_smp.missing_figures("smoke", vectra, linux))


class LinuxProgram(unittest.TestCase):
    """The x86_64 /init, run as an ordinary process: as anything but PID 1 it neither mounts
    nor powers off, and writes to its standard output."""

    def test_program_measures_every_row_and_ends(self):
        build = os.environ.get("VECTRA_BENCH_SMP_BUILD", "")
        program = os.path.join(build, "bench", "smp", "linux-init-x86_64")
        if platform.machine() not in ("x86_64", "AMD64") or not os.path.exists(program):
            self.skipTest("needs an x86_64 host and the built program")
        result = subprocess.run([program], env={"bench_iterations": "40", "bench_work": "100000"},
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 0)
        self.assertTrue(result.stdout.rstrip().endswith("bench-smp done"), result.stdout)
        measurements, information = bench_smp.parse_lines(result.stdout, "linux")
        cpus = int(information["system"]["cpus"])
        expected = [name for name in bench_smp.expected_names("mttcg", "linux")
                    if (cpus >= 2 or "cross" not in name and "idle" not in name)
                    and not (name.startswith("workers_") and int(name[-1]) > cpus)]
        for name in expected:
            self.assertIn(name, measurements, result.stdout)
        self.assertEqual(measurements["mutex_uncontended"]["iterations"], 4000)
        self.assertGreater(measurements["workers_pinned_1"]["ns"], 0)


class Smoke(unittest.TestCase):
    """The whole bench, smoke mode, x86_64: VectraOS and Linux booted once each."""

    def test_both_systems_print_every_row(self):
        build = os.environ.get("VECTRA_BENCH_SMP_ROOT_BUILD", "")
        if os.environ.get("VECTRA_BENCH_SMP_SMOKE") != "1" or not build:
            self.skipTest("set VECTRA_BENCH_SMP_SMOKE=1 and VECTRA_BENCH_SMP_ROOT_BUILD")
        if bench_smp.linux_guest.installed_kernel("x86_64") is None:
            self.skipTest("no Debian x86_64 kernel in /boot (./vectra bench smp installs it)")
        result = subprocess.run([sys.executable, "-B", os.path.join(HERE, "bench_smp.py"), "--build", build,
                                 "--arch", "x86_64", "--mode", "smoke", "--runs", "1", "--check", "--timeout", "50"],
                                capture_output=True, text=True, timeout=110)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("uncontended futex mutex", result.stdout)


if __name__ == "__main__":
    unittest.main()
