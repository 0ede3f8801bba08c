#!/usr/bin/env python3
"""Quick checks of the bench ipc fixture, no Linux guest booted: the newc writer read back, the
console-line parser, medians and the table's refusal to invent figures, and (on an x86_64 host,
when built) the x86_64 Linux program itself run briefly as an ordinary process."""
import contextlib
import io
import os
import platform
import stat
import subprocess
import sys
import time
import unittest

import bench_ipc
import initramfs


class InitramfsArchive(unittest.TestCase):
    def test_archive_reads_back_with_init_console_and_mount_points(self):
        program = bytes(range(256)) * 3 + b"odd"
        entries = {name: (mode, rdev, data) for name, mode, rdev, data in
                   initramfs.read_entries(initramfs.archive(program))}
        self.assertEqual(entries["init"][2], program)
        self.assertEqual(entries["init"][0], stat.S_IFREG | 0o755)
        self.assertEqual(entries["dev/console"][0], stat.S_IFCHR | 0o600)
        self.assertEqual(entries["dev/console"][1], (5, 1))
        for directory in ("dev", "proc", "sys"):
            self.assertTrue(stat.S_ISDIR(entries[directory][0]), directory)

    def test_every_header_starts_on_a_four_byte_boundary(self):
        data = initramfs.archive(b"12345")
        offsets = [index for index in range(len(data)) if data.startswith(b"070701", index)]
        self.assertEqual(len(offsets), 6)  # five entries and the trailer
        self.assertTrue(all(offset % 4 == 0 for offset in offsets))
        self.assertEqual(len(data) % 4, 0)

    def test_archive_is_the_same_bytes_every_time(self):
        self.assertEqual(initramfs.archive(b"x"), initramfs.archive(b"x"))

    def test_reader_refuses_a_truncated_archive(self):
        data = initramfs.archive(b"a" * 100)
        with self.assertRaises(ValueError):
            initramfs.read_entries(data[:200])


CONSOLE = """\
[    1.703552] Run /init as init process\r
bench-ipc linux start iterations=2000\r
bench-ipc linux system kernel=6.1.0-57-amd64 machine=x86_64 cpus=1 ticks=tsc tick_hz=0
bench-ipc linux getppid iterations=20000 ns=6641110 ticks=6640630
bench-ipc linux pipe_pingpong iterations=2000 ns=23440120 ticks=23439633 extra=7
bench-ipc linux futex_pingpong iterations=2000 ns=162[    2.0] random: crng init done
bench-ipc linux broken iterations=0 ns=1 ticks=1
bench-ipc vectra ring_call_0 iterations=1000 ns=500000 ticks=480000
 bench-ipc linux indented iterations=1 ns=1 ticks=1
bench-ipc done
"""


class ConsoleLines(unittest.TestCase):
    def test_measurements_are_parsed_per_system(self):
        linux, information = bench_ipc.parse_lines(CONSOLE, "linux")
        self.assertEqual(sorted(linux), ["getppid", "pipe_pingpong"])
        self.assertEqual(linux["getppid"], {"iterations": 20000, "ns": 6641110, "ticks": 6640630})
        self.assertEqual(information["system"]["kernel"], "6.1.0-57-amd64")
        vectra, _ = bench_ipc.parse_lines(CONSOLE, "vectra")
        self.assertEqual(vectra, {"ring_call_0": {"iterations": 1000, "ns": 500000, "ticks": 480000}})

    def test_a_line_broken_by_a_kernel_message_or_with_no_iterations_is_not_a_measurement(self):
        linux, _ = bench_ipc.parse_lines(CONSOLE, "linux")
        self.assertNotIn("futex_pingpong", linux)
        self.assertNotIn("broken", linux)

    def test_medians_are_taken_per_operation_over_runs(self):
        runs = [{"getppid": {"iterations": 10, "ns": ns, "ticks": 2 * ns}} for ns in (100, 300, 200)]
        runs.append({})  # a run that measured nothing does not count
        ticks, ns, counted = bench_ipc.median_per_operation(runs)["getppid"]
        self.assertEqual((ticks, ns, counted), (40, 20, 3))
        self.assertAlmostEqual(bench_ipc.spread(runs, "getppid"), 2.0)


class Table(unittest.TestCase):
    def table(self, vectra_output, linux_output, mode="icount"):
        vectra, linux = bench_ipc.Boot(), bench_ipc.Boot()
        for boot, output, system in ((vectra, vectra_output, "vectra"), (linux, linux_output, "linux")):
            measurements, boot.information = bench_ipc.parse_lines(output, system)
            if measurements:
                boot.runs.append(measurements)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            bench_ipc.print_table("x86_64", mode, vectra, linux, 1)
        return printed.getvalue()

    def test_without_vectra_lines_the_table_says_so_and_invents_nothing(self):
        text = self.table("ready: no userland yet\n", CONSOLE.replace("bench-ipc vectra", "x"))
        self.assertIn("VectraOS side: not available (no bench-ipc lines)", text)
        ring = next(line for line in text.splitlines() if line.startswith("ring_call_0"))
        self.assertEqual(ring.split()[1:3], ["n/a", "n/a"])
        self.assertIn("seL4 anchor: Call/ReplyRecv round trip 453 instructions", text)

    def test_ratio_compares_per_operation_figures(self):
        text = self.table("bench-ipc vectra ring_call_0 iterations=10 ns=5860 ticks=5860\n"
                          "bench-ipc vectra null_syscall iterations=10 ns=1000 ticks=1000\n",
                          "bench-ipc linux pipe_pingpong iterations=2 ns=2344 ticks=2344\n"
                          "bench-ipc linux getppid iterations=4 ns=1600 ticks=1600\n")
        lines = text.splitlines()
        ring = next(line for line in lines if line.startswith("ring_call_0"))
        self.assertTrue(ring.endswith("0.50x"), ring)   # 586 per op beside 1,172
        null = next(line for line in lines if line.startswith("null_syscall"))
        self.assertTrue(null.endswith("0.25x"), null)   # 100 beside 400
        self.assertIn("VectraOS÷seL4 1.29x", text)       # 586 / 453


def fake_qemu(script):
    """A stand-in for QEMU: a Python process running `script`."""
    return [sys.executable, "-c", "import sys, time\n" + script]


class Runner(unittest.TestCase):
    def test_stops_once_the_stop_line_shows(self):
        started = time.monotonic()
        status, output, _, stopped = bench_ipc.run_boot(
            fake_qemu("print('bench-ipc done', flush=True); time.sleep(30)"), 20, bench_ipc.DONE)
        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual((status, stopped), (None, None))
        self.assertIn("bench-ipc done", output)

    def test_a_silent_console_is_given_up_and_the_reason_kept(self):
        command = fake_qemu("print('VectraOS 0.1.0', flush=True); "
                            "sys.stderr.write('qemu: something\\n'); time.sleep(30)")
        boot = bench_ipc.boot_runs(command, "vectra", 3, 20, bench_ipc.VECTRA_STOP, "fake", False,
                                   silence=1)
        self.assertEqual(boot.runs, [])
        self.assertEqual(boot.problem, "no bench-ipc lines (console silent for 1 s; last console "
                                       "line: 'VectraOS 0.1.0'); QEMU said 'qemu: something'")

    def test_an_ending_qemu_gives_its_status_and_crlf_is_undone(self):
        status, output, _, stopped = bench_ipc.run_boot(
            fake_qemu("sys.stdout.write('a\\r\\nb\\r\\n'); sys.exit(3)"), 20, bench_ipc.DONE)
        self.assertEqual((status, output, stopped), (3, "a\nb\n", None))


class LinuxProgram(unittest.TestCase):
    """The x86_64 /init, run as an ordinary process: as anything but PID 1 it neither mounts
    nor powers off, and writes to its standard output."""

    def test_program_measures_every_operation_and_ends(self):
        build = os.environ.get("VECTRA_BENCH_IPC_BUILD", "")
        program = os.path.join(build, "linux-init-x86_64")
        if platform.machine() not in ("x86_64", "AMD64") or not os.path.exists(program):
            self.skipTest("needs an x86_64 host and the built program")
        result = subprocess.run([program], env={"bench_iterations": "300"}, capture_output=True,
                                text=True, timeout=30)
        self.assertEqual(result.returncode, 0)
        self.assertTrue(result.stdout.rstrip().endswith("bench-ipc done"), result.stdout)
        measurements, information = bench_ipc.parse_lines(result.stdout, "linux")
        self.assertEqual(measurements["getppid"]["iterations"], 3000)
        for name in ("futex_pingpong", "pipe_pingpong", "unix_socket_pingpong"):
            self.assertEqual(measurements[name]["iterations"], 300, name)
            self.assertGreater(measurements[name]["ns"], 0, name)
        if "sched_setscheduler" not in result.stdout:  # SCHED_FIFO needs privilege
            self.assertGreater(measurements["sched_yield_switch"]["iterations"], 0)
        self.assertEqual(information["system"]["ticks"], "tsc")


if __name__ == "__main__":
    unittest.main()
