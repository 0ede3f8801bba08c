#!/usr/bin/env python3
"""Tests of host/qemu/qemu.py's checks: a fake QEMU (a Python child) prints what a real one
would, and the verdict must be right. Usage: qemu_harness_test.py DIRECTORY-OF-qemu.py"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, sys.argv.pop(1) if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../host/qemu"))
import qemu  # noqa: E402

BANNER = "VectraOS 0.1.0 (x86_64) — 8 CPUs, 512 MiB RAM"


def fake_qemu(stdout_text, stderr_text="", status=33):
    """A command that behaves like QEMU: the serial console on stdout, its own messages on stderr."""
    script = ("import sys\n"
              f"sys.stderr.write({stderr_text!r}); sys.stderr.flush()\n"
              f"sys.stdout.write({stdout_text!r}); sys.stdout.flush()\n"
              f"sys.exit({status})\n")
    return [sys.executable, "-c", script]


class BannerCheck(unittest.TestCase):
    def test_a_qemu_warning_before_the_banner_does_not_fail_the_check(self):
        warning = ("qemu-system-x86_64: warning: Number of SMP cpus requested (8) exceeds the "
                   "recommended cpus supported by KVM (2)\n")
        command = fake_qemu(f"{BANNER}\r\n[test] PASS x\r\n1 passed, 0 failed\r\n", warning)
        status, output, _, _ = qemu.run_captured(command, timeout=30, echo=False)
        self.assertEqual(status, 33)
        self.assertEqual(qemu.check_tests(status, output, "x86_64", 8), [])

    def test_a_console_that_does_not_start_with_the_banner_still_fails(self):
        command = fake_qemu(f"garbage\r\n{BANNER}\r\n1 passed, 0 failed\r\n")
        status, output, _, _ = qemu.run_captured(command, timeout=30, echo=False)
        problems = qemu.check_tests(status, output, "x86_64", 8)
        self.assertTrue(any("not the banner" in problem for problem in problems), problems)

    def test_everything_on_the_console_is_kept_when_qemu_also_writes_to_stderr(self):
        # Both pipes fill past their buffers, interleaved: neither may block or lose the other.
        script = ("import sys\n"
                  "for i in range(20000):\n"
                  "    sys.stdout.write(f'line {i}\\n')\n"
                  "    if i % 4 == 0: sys.stderr.write('warning\\n')\n")
        status, output, _, _ = qemu.run_captured([sys.executable, "-c", script], timeout=30, echo=False)
        self.assertEqual(status, 0)
        self.assertEqual(output, "".join(f"line {i}\n" for i in range(20000)))


def overflow_dump(arch, guard, fault):
    """The console of a stack-overflow boot, as the kernel prints it, faulting at `fault`."""
    lines = [f"VectraOS 0.1.0 ({arch}) — 2 CPUs, 512 MiB RAM",
             f"stack overflow test: recursing into the guard page at {guard:#x}; a panic dump must follow"]
    if arch == "x86_64":
        lines += ["PANIC: unexpected exception: double fault (#DF) (vector 0x8)",
                  f"  error code: 0x0 (always zero for this exception; the stack pointer is at the faulting "
                  f"address {fault:#x}: a kernel stack overflow)",
                  f"       cr0=0000000080010013     cr2={fault:016x}     cr3=0000000000104000"]
    else:
        lines += ["PANIC: unexpected exception: data abort from EL1 (vector 0x25)",
                  f"  faulting address: {fault:#018x}"]
    lines.append("PANIC: end of dump, stopping")
    return "\n".join(lines) + "\n"


class StackOverflowCheck(unittest.TestCase):
    GUARD = 0xffffffffc001b000

    def test_a_fault_inside_the_named_guard_page_passes(self):
        for arch in ("x86_64", "aarch64"):
            output = overflow_dump(arch, self.GUARD, self.GUARD + 0xfe8)
            self.assertEqual(qemu.check_overflow(qemu.EXIT_PANICKED, output, arch, 2), [], arch)

    def test_a_fault_below_the_guard_page_fails_as_a_mapped_guard_would(self):
        # With the guard page mapped, the recursion runs on into whatever lies below it.
        for arch in ("x86_64", "aarch64"):
            output = overflow_dump(arch, self.GUARD, self.GUARD - 0x18)
            problems = qemu.check_overflow(qemu.EXIT_PANICKED, output, arch, 2)
            self.assertTrue(any("outside the guard page" in problem for problem in problems), (arch, problems))

    def test_a_dump_that_names_no_guard_page_fails(self):
        output = overflow_dump("x86_64", self.GUARD, self.GUARD + 8).replace(" at 0xffffffffc001b000", "")
        problems = qemu.check_overflow(qemu.EXIT_PANICKED, output, "x86_64", 2)
        self.assertTrue(any("did not name the guard page" in problem for problem in problems), problems)


class BootBundle(unittest.TestCase):
    def test_the_builds_boot_bundle_is_passed_as_the_initrd_when_it_exists(self):
        with tempfile.TemporaryDirectory() as build:
            kernel = os.path.join(build, qemu.ARCHITECTURES["x86_64"]["kernel"])
            os.makedirs(os.path.dirname(kernel))
            open(kernel, "wb").close()
            self.assertNotIn("-initrd", qemu.qemu_command(build, "x86_64", "tcg"))
            bundle = os.path.join(build, qemu.BOOT_BUNDLE.format(arch="x86_64"))
            os.makedirs(os.path.dirname(bundle))
            open(bundle, "wb").close()
            command = qemu.qemu_command(build, "x86_64", "tcg")
            self.assertEqual(command[command.index("-initrd") + 1], bundle)
            other = os.path.join(build, "other.img")
            open(other, "wb").close()
            command = qemu.qemu_command(build, "x86_64", "tcg", initrd=other)
            self.assertEqual(command[command.index("-initrd") + 1], other)


if __name__ == "__main__":
    unittest.main(verbosity=2)
