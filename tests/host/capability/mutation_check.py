#!/usr/bin/env python3
"""Mutation check for the capability code: each mutation below removes one check or one step
(the generation check, a rights check, the revoke walk, narrowing, ...) from a private copy of
the sources; the capability tests are built against it and each test is run on its own. Every
mutation must make at least one test fail. Prints, per mutation, the tests that caught it.

    tests/host/capability/mutation_check.py [--jobs N] [mutation ...]

Needs clang++-19 and GoogleTest (libgtest); builds in a temporary directory, never in the tree.
"""
import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
TEST_DIR = os.path.join(ROOT, "tests", "host", "capability")
CXX = ["clang++-19", "-std=c++2b", "-O1", "-g", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
       "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]
KERNEL_SOURCES = ["kernel/capability/capability.cpp", "kernel/capability/capability_table.cpp", "kernel/object/object.cpp"]
KERNEL_HEADERS = ["kernel/capability/capability.h", "kernel/capability/capability_table.h",
                  "kernel/capability/status_or.h", "kernel/object/object.h"]

# name: (file, exact text, replacement)
MUTATIONS = {
    "no generation check in lookup": (
        "kernel/capability/capability_table.cpp",
        "if (capability.is_empty() || capability.generation() != vectra::abi::handle_generation(handle)) return Status::BadHandle;",
        "if (capability.is_empty()) return Status::BadHandle;"),
    "no rights check in lookup": (
        "kernel/capability/capability_table.cpp",
        "if (!capability.has_rights(required_rights)) return Status::MissingRights;", ""),
    "no kind check in lookup": (
        "kernel/capability/capability_table.cpp",
        "if (required_kind != ObjectKind::None && capability.object()->kind() != required_kind) return Status::WrongKind;", ""),
    "no revoke walk": (
        "kernel/capability/capability_table.cpp", "    capability->revoke_descendants(budget);\n", ""),
    "derive takes the requested rights (widening)": (
        "kernel/capability/capability.cpp", "rights_ = parent.rights_ & rights;", "rights_ = rights;"),
    "derive ignores the requested rights (no narrowing)": (
        "kernel/capability/capability.cpp", "rights_ = parent.rights_ & rights;", "rights_ = parent.rights_;"),
    "move does not narrow": (
        "kernel/capability/capability.cpp", "rights_ = source.rights_ & rights;", "rights_ = source.rights_;"),
    "generation not bumped when a slot empties": (
        "kernel/capability/capability.cpp", "generation_ = next_generation(generation_);", ""),
    "generation wrap reaches 0": (
        "kernel/capability/capability.h", "return next == 0 ? 1 : next;", "return next;"),
    "remove drops the children instead of handing them up": (
        "kernel/capability/capability.cpp",
        "    if (has_descendants()) {\n        // The children", "    if (false) {\n        // The children"),
    "last release destroys at once (recursion)": (
        "kernel/object/object.cpp",
        "if (--references_ == 0) ObjectReaper::queue.push_back(*this);", "if (--references_ == 0) destroy();"),
    "move_out_all accepts a handle twice": (
        "kernel/capability/capability_table.cpp",
        "if (handles[earlier] == handles[index]) return Status::BadHandle;", "(void)earlier;"),
    "move_in_all does not check for room first": (
        "kernel/capability/capability_table.cpp",
        "if (!has_free_slots(needed)) return Status::TableFull;", "(void)needed;"),
    "copy_into needs no transfer right": (
        "kernel/capability/capability_table.cpp",
        "Capability* parent = TRY(lookup(handle, ObjectKind::None, vectra::abi::kRightTransfer));\n    // Has the destination",
        "Capability* parent = TRY(lookup(handle, ObjectKind::None, 0));\n    // Has the destination"),
    "remove does not tell a held node's holder (a revoked mapping stays mapped)": (
        "kernel/capability/capability.cpp",
        "if (held_) static_cast<HeldCapability*>(this)->deleted();", ""),
    "revoke counts a held node as one, whatever its cost": (
        "kernel/capability/capability.cpp", "spent += first->revoke_cost();", "spent += 1;"),
    "revoke needs no revoke right": (
        "kernel/capability/capability_table.cpp",
        "TRY(lookup(handle, ObjectKind::None, vectra::abi::kRightRevoke));", "TRY(lookup(handle, ObjectKind::None, 0));"),
}


def compile_objects(sources, includes, out_dir):
    objects = []
    for source in sources:
        obj = os.path.join(out_dir, os.path.basename(source) + ".o")
        subprocess.run(CXX + includes + ["-c", source, "-o", obj], check=True)
        objects.append(obj)
    return objects


def run_tests(executable):
    listing = subprocess.run([executable, "--gtest_list_tests"], capture_output=True, text=True, check=True).stdout
    tests, suite = [], ""
    for line in listing.splitlines():
        if not line.startswith(" "):
            suite = line.strip()
        else:
            tests.append(suite + line.strip().split()[0])
    failed = []
    for test in tests:
        try:
            run = subprocess.run([executable, f"--gtest_filter={test}"], capture_output=True, text=True, timeout=300)
            if run.returncode != 0:
                failed.append(test + ("" if run.returncode == 1 else f" (crashed: {run.returncode})"))
        except subprocess.TimeoutExpired:
            failed.append(test + " (timed out)")
    return tests, failed


def check(name, work, shared_objects):
    path, old, new = MUTATIONS[name]
    source_root = os.path.join(work, "source")
    for relative in KERNEL_SOURCES + KERNEL_HEADERS:
        os.makedirs(os.path.dirname(os.path.join(source_root, relative)), exist_ok=True)
        shutil.copy(os.path.join(ROOT, relative), os.path.join(source_root, relative))
    target = os.path.join(source_root, path)
    text = open(target).read()
    if text.count(old) != 1:
        return f"{name}: the text to mutate is not found exactly once (update mutation_check.py)"
    open(target, "w").write(text.replace(old, new))
    includes = [f"-I{source_root}", f"-I{ROOT}", f"-I{ROOT}/lib"]
    objects = compile_objects([os.path.join(source_root, s) for s in KERNEL_SOURCES], includes, work)
    if path.endswith(".h"):
        objects += compile_objects(shared_objects["test_sources"], includes, work)
    else:
        objects += shared_objects["tests"]
    executable = os.path.join(work, "capability_tests")
    subprocess.run(CXX + objects + shared_objects["base"] + ["-lgtest", "-lgtest_main", "-o", executable], check=True)
    tests, failed = run_tests(executable)
    verdict = "CAUGHT" if failed else "NOT CAUGHT"
    return f"{name}: {verdict} by {len(failed)} of {len(tests)} tests: " + (", ".join(failed) if failed else "-")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("mutations", nargs="*")
    arguments = parser.parse_args()
    names = arguments.mutations or list(MUTATIONS)
    with tempfile.TemporaryDirectory(prefix="capability-mutations-") as work:
        includes = [f"-I{ROOT}", f"-I{ROOT}/lib"]
        shared = os.path.join(work, "shared")
        os.makedirs(shared)
        test_sources = sorted(os.path.join(TEST_DIR, f) for f in os.listdir(TEST_DIR) if f.endswith("_test.cpp"))
        base_sources = sorted(os.path.join(ROOT, "lib", "base", f) for f in os.listdir(os.path.join(ROOT, "lib", "base"))
                              if f.endswith(".cpp"))
        shared_objects = {"test_sources": test_sources,
                          "tests": compile_objects(test_sources, includes, shared),
                          "base": compile_objects(base_sources, includes, shared)}
        not_caught = 0
        with concurrent.futures.ThreadPoolExecutor(arguments.jobs) as pool:
            futures = []
            for index, name in enumerate(names):
                directory = os.path.join(work, f"mutation-{index}")
                os.makedirs(directory)
                futures.append(pool.submit(check, name, directory, shared_objects))
            for future in futures:
                line = future.result()
                not_caught += 0 if ": CAUGHT" in line else 1
                print(line, flush=True)
    return 1 if not_caught else 0


if __name__ == "__main__":
    sys.exit(main())
