#!/usr/bin/env python3
"""`vectra run --program FILE` (host/qemu/qemu.py): the temporary bundle holds the build's boot
bundle's programs and then each FILE named by its file name; bad names and duplicates are
refused with the tool's reason; QEMU gets the temporary bundle as -initrd and the file is gone
afterwards. QEMU itself is replaced by a Python child that lists what it was given.
Usage: run_program_test.py DIRECTORY-OF-qemu.py PATH-OF-vectra-bundle"""
import os
import subprocess
import sys
import tempfile
import types
import unittest

sys.path.insert(0, sys.argv.pop(1))
TOOL = sys.argv.pop(1)
import qemu  # noqa: E402


class FakeBuild:
    """A build directory with the real vectra-bundle and a boot bundle of `init` and `console`."""

    def __enter__(self):
        self.directory = tempfile.TemporaryDirectory()
        self.path = self.directory.name
        os.makedirs(os.path.join(self.path, os.path.dirname(qemu.BUNDLE_TOOL)))
        os.symlink(TOOL, os.path.join(self.path, qemu.BUNDLE_TOOL))
        os.makedirs(os.path.join(self.path, "user"))
        self.programs = {}
        for name in ("init", "console", "hello", "my prog"):
            self.programs[name] = self.write(name, f"the {name} program".encode())
        self.bundle = os.path.join(self.path, qemu.BOOT_BUNDLE.format(arch="x86_64"))
        subprocess.run([TOOL, "pack", self.bundle, f"init={self.programs['init']}",
                        f"console={self.programs['console']}"], check=True)
        return self

    def __exit__(self, *exception):
        self.directory.cleanup()

    def write(self, name, data):
        path = os.path.join(self.path, name)
        with open(path, "wb") as f:
            f.write(data)
        return path


def listing(bundle):
    result = subprocess.run([TOOL, "list", bundle], capture_output=True, text=True, check=True)
    return [line.split()[0] for line in result.stdout.splitlines()[1:]]


class RunWithPrograms(unittest.TestCase):
    def test_the_programs_follow_the_builds_bundle_named_by_their_file_names(self):
        with FakeBuild() as build:
            output = os.path.join(build.path, "out.img")
            qemu.pack_with_programs(build.path, build.bundle, [build.programs["hello"]], output)
            self.assertEqual(listing(output), ["init", "console", "hello"])

    def test_a_name_the_bundle_already_has_is_refused_with_the_name(self):
        with FakeBuild() as build:
            with self.assertRaises(SystemExit) as refused:
                qemu.pack_with_programs(build.path, build.bundle, [build.programs["init"]], os.path.join(build.path, "x.img"))
            self.assertIn('two programs are named "init"', str(refused.exception))

    def test_a_file_name_that_is_not_a_program_name_is_refused(self):
        with FakeBuild() as build:
            with self.assertRaises(SystemExit) as refused:
                qemu.pack_with_programs(build.path, build.bundle, [build.programs["my prog"]], os.path.join(build.path, "x.img"))
            self.assertIn("my prog", str(refused.exception))

    def test_without_a_boot_bundle_it_says_to_build_first(self):
        with FakeBuild() as build:
            os.unlink(build.bundle)
            arguments = types.SimpleNamespace(build=build.path, arch="x86_64", initrd=None, program=[build.programs["hello"]])
            with self.assertRaises(SystemExit) as refused:
                qemu.run_with_programs(arguments, "tcg")
            self.assertIn("build first", str(refused.exception))

    def test_qemu_gets_the_temporary_bundle_and_it_is_removed_afterwards(self):
        with FakeBuild() as build:
            seen = {}
            report = os.path.join(build.path, "report")

            def fake_command(build_path, arch, accel, smp, memory, append, gdb, interactive, initrd):
                seen["initrd"] = initrd
                # The fake QEMU lists the bundle it was handed, as the kernel would read it.
                return ["sh", "-c", f"'{TOOL}' list '{initrd}' > '{report}'; exit 3"]

            original = qemu.qemu_command
            qemu.qemu_command = fake_command
            try:
                arguments = types.SimpleNamespace(build=build.path, arch="x86_64", initrd=None, smp=1, mem="256M",
                                                  append="", gdb=False, program=[build.programs["hello"]])
                status = qemu.run_with_programs(arguments, "tcg")
            finally:
                qemu.qemu_command = original
            self.assertEqual(status, 3)  # QEMU's own status comes back
            self.assertFalse(os.path.exists(seen["initrd"]))
            with open(report) as f:
                names = [line.split()[0] for line in f.read().splitlines()[1:]]
            self.assertEqual(names, ["init", "console", "hello"])


if __name__ == "__main__":
    unittest.main()
