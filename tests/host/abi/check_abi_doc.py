#!/usr/bin/env python3
"""Checks docs/abi.md against lib/abi/abi.h, the one source of truth for the system-call ABI.

Fails (exit 1, one line per difference) when the document and the header disagree on: a
syscall's existence, number or argument count (in the summary table and in the syscall's own
section, whose argument table must also use the calling convention's registers in order); a
status code's value or text; a right's bit; an enum's values; a constant (every one the header
defines must be documented, with its value); a structure's fields, types, offsets or size; or
the calling convention itself.

    check_abi_doc.py --header lib/abi/abi.h --doc docs/abi.md
    check_abi_doc.py --header lib/abi/abi.h --doc docs/abi.md --self-test
    ... --runtime-header user/runtime/start_info.h   (also the runtime's StartInfo layout)

--self-test damages copies of both files in the ways the check exists to catch and fails unless
every damage is reported (so a check that quietly stops checking fails too).
"""
import argparse
import re
import sys

MASK64 = (1 << 64) - 1
TYPE_SIZES = {"u8": 1, "u16": 2, "u32": 4, "u64": 8, "i64": 8, "char": 1, "Handle": 4}
ENUMS = ("ObjectKind", "BundleFlavour", "FaultKind", "Protection")
STRUCTS = ("RingMessage", "HandleInfo", "BundleInfo", "FaultReport", "BootCapabilities")
RUNTIME_STRUCTS = ["StartInfo"]  # user/runtime/start_info.h, a convention the doc also describes


# --- The header -------------------------------------------------------------------------------

def strip_comments(text):
    return re.sub(r"//[^\n]*", "", text)


def macro_block(text, name):
    start = text.find(f"#define {name}(X)")
    if start < 0:
        raise SystemExit(f"check_abi_doc: {name} not found in the header")
    lines = []
    for line in text[start:].splitlines():
        lines.append(line)
        if not line.rstrip().endswith("\\"):
            break
    return "\n".join(lines)


def evaluate(expression, constants):
    """A constant's initializer: literals (with ' separators and u suffixes), shifts, ~, casts
    like u64(0), and names of earlier constants."""
    text = expression.replace("'", "")
    text = re.sub(r"\b(u8|u16|u32|u64|i64|Handle)\(", "(", text)
    text = re.sub(r"\b(0x[0-9a-fA-F]+|\d+)[uUlL]+\b", r"\1", text)
    for name, value in constants.items():
        text = re.sub(rf"\b{name}\b", str(value), text)
    if not re.fullmatch(r"[0-9a-fA-Fx()+\-*/<>~ |&]+", text):
        return None
    try:
        return eval(text, {"__builtins__": {}}) & MASK64  # only digits and operators reach here
    except Exception:
        return None


def parse_structs(code, names, constants):
    """name -> ([(offset, field, type)], size) with natural alignment, checked against the
    header's own static_assert(sizeof(...)) where it has one."""
    structs = {}
    for name in names:
        found = re.search(rf"struct {name} \{{(.*?)\}};", code, re.S)
        if not found:
            continue
        fields, offset, alignment = [], 0, 1
        for field_type, field, count in re.findall(r"([\w:]+)\s+(\w+)(?:\[(\w+)\])?;", found.group(1)):
            field_type = field_type.split("::")[-1]
            size = TYPE_SIZES.get(field_type)
            if size is None:
                raise SystemExit(f"check_abi_doc: {name}.{field} has type {field_type}, unknown to the check")
            elements = 1 if not count else (int(count) if count.isdigit() else constants[count])
            offset = (offset + size - 1) // size * size
            shown = field_type if field_type != "Handle" else "u32"
            fields.append((offset, field, shown if not count else f"{shown}[{elements}]"))
            offset += size * elements
            alignment = max(alignment, size)
        total = (offset + alignment - 1) // alignment * alignment
        asserted = re.search(rf"static_assert\(sizeof\({name}\) == (\d+)\);", code)
        if asserted and int(asserted.group(1)) != total:
            raise SystemExit(f"check_abi_doc: computed {total} bytes for {name}, the header asserts {asserted.group(1)}")
        structs[name] = (fields, total)
    return structs


def parse_constants(code, constants):
    for name, expression in re.findall(r"inline constexpr \w+ (k\w+) = ([^;]+);", code):
        value = evaluate(expression, constants)
        if value is not None:
            constants[name] = value
    return constants


def parse_header(text):
    header = {}
    header["statuses"] = [(name, int(value), meaning) for name, value, meaning in
                          re.findall(r'X\((\w+),\s*(\d+),\s*"((?:[^"\\]|\\.)*)"\)', macro_block(text, "VECTRA_STATUS_LIST"))]
    header["syscalls"] = [(name, int(number), int(count)) for name, number, count in
                          re.findall(r"X\((\w+),\s*(\d+),\s*(\d+)\)", macro_block(text, "VECTRA_SYSCALL_LIST"))]
    code = strip_comments(text)

    constants = parse_constants(code, {})
    header["constants"] = constants

    rights = re.search(r"enum Rights : u32 \{(.*?)\};", code, re.S)
    header["rights"] = {}
    for name, expression in re.findall(r"(kRight\w+)\s*=\s*([^,]+),", rights.group(1) if rights else ""):
        value = evaluate(expression, constants)
        if value is not None and value & (value - 1) == 0:
            header["rights"][name] = value.bit_length() - 1

    header["enums"] = {}
    for name in ENUMS:
        found = re.search(rf"enum (?:class )?{name} : \w+ \{{(.*?)\}};", code, re.S)
        if found:
            header["enums"][name] = {entry: int(value, 0) for entry, value in re.findall(r"(\w+)\s*=\s*(\w+)", found.group(1))}

    header["structs"] = parse_structs(code, STRUCTS, constants)

    convention = {}
    x86 = re.search(r"x86_64:\s+`syscall`; number in (\w+); arguments ([\w, ]+); result in (\w+)", text)
    arm = re.search(r"aarch64: `svc #0`; number in (\w+); arguments x0-x5; result in (\w+)", text)
    if x86:
        convention["x86_64"] = {"number": x86.group(1), "arguments": [r.strip() for r in x86.group(2).split(",")],
                                "result": x86.group(3)}
    if arm:
        convention["aarch64"] = {"number": arm.group(1), "arguments": [f"x{i}" for i in range(6)], "result": arm.group(2)}
    header["convention"] = convention
    return header


# --- The document -----------------------------------------------------------------------------

def cells(line):
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def tables_after(lines, predicate):
    """Every table whose header row satisfies predicate: (line index, header, rows)."""
    found = []
    for index, line in enumerate(lines):
        if line.startswith("|") and predicate(cells(line)) and index + 1 < len(lines) and lines[index + 1].startswith("|---"):
            rows = []
            for row in lines[index + 2:]:
                if not row.startswith("|"):
                    break
                rows.append(cells(row))
            found.append((index, cells(line), rows))
    return found


def unquote(text):
    return text.strip("`")


def table_under_heading(lines, heading, header_row):
    """The first table with `header_row` after the line `heading` and before the next heading."""
    try:
        start = lines.index(heading)
    except ValueError:
        return None
    for line_index in range(start + 1, len(lines)):
        line = lines[line_index]
        if line.startswith("#"):
            return None
        if line.startswith("|") and cells(line) == header_row:
            rows = []
            for row in lines[line_index + 2:]:
                if not row.startswith("|"):
                    break
                rows.append(cells(row))
            return rows
    return None


def check(header_text, doc_text, runtime_text=None):
    header = parse_header(header_text)
    structs = dict(header["structs"])
    struct_names = list(STRUCTS)
    if runtime_text is not None:
        runtime_code = strip_comments(runtime_text)
        runtime_constants = parse_constants(runtime_code, dict(header["constants"]))
        structs.update(parse_structs(runtime_code, RUNTIME_STRUCTS, runtime_constants))
        struct_names += RUNTIME_STRUCTS
    lines = doc_text.splitlines()
    problems = []

    # Statuses.
    tables = tables_after(lines, lambda row: row == ["code", "status", "meaning"])
    if not tables:
        problems.append("no status table (| code | status | meaning |)")
    else:
        documented = {unquote(row[1]): (int(row[0]), row[2]) for row in tables[0][2]}
        for name, value, meaning in header["statuses"]:
            if name not in documented:
                problems.append(f"status {name} ({value}) is not documented")
                continue
            if documented[name][0] != value:
                problems.append(f"status {name} is {value} in the header, {documented[name][0]} in the doc")
            if meaning not in documented[name][1]:
                problems.append(f"status {name}: the doc's meaning does not contain the header's text \"{meaning}\"")
        for name in set(documented) - {status[0] for status in header["statuses"]}:
            problems.append(f"status {name} is documented but not in the header")
    status_names = {status[0] for status in header["statuses"]}

    # Syscalls: the summary table.
    tables = tables_after(lines, lambda row: row[:3] == ["number", "syscall", "arguments"])
    if not tables:
        problems.append("no syscall summary table (| number | syscall | arguments | ...)")
        summary = {}
    else:
        summary = {unquote(row[1]): (int(row[0]), int(row[2])) for row in tables[0][2]}
    for name, number, count in header["syscalls"]:
        if name not in summary:
            problems.append(f"syscall {name} ({number}) is missing from the summary table")
        elif summary[name] != (number, count):
            problems.append(f"syscall {name}: header says number {number} with {count} arguments, "
                            f"the summary table says number {summary[name][0]} with {summary[name][1]}")
    for name in set(summary) - {syscall[0] for syscall in header["syscalls"]}:
        problems.append(f"syscall {name} is in the summary table but not in the header")
    numbers = [syscall[1] for syscall in header["syscalls"]]
    if len(set(numbers)) != len(numbers):
        problems.append("the header gives two syscalls the same number")
    limit = header["constants"].get("kSyscallLimit")
    if limit is not None and any(number >= limit for number in numbers):
        problems.append("a syscall number is not below kSyscallLimit")

    # Syscalls: each one's section, its argument table and registers.
    convention = header["convention"]
    for arch in ("x86_64", "aarch64"):
        if arch not in convention:
            problems.append(f"the header's calling convention comment for {arch} was not understood")
    sections = {}
    for index, line in enumerate(lines):
        found = re.fullmatch(r"### `(\w+)` \((\d+)\)", line)
        if found:
            sections[found.group(1)] = (int(found.group(2)), index)
    for name, number, count in header["syscalls"]:
        if name not in sections:
            problems.append(f"syscall {name} has no section (### `{name}` ({number}))")
            continue
        documented_number, start = sections[name]
        if documented_number != number:
            problems.append(f"syscall {name}: section says number {documented_number}, the header {number}")
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
        body = lines[start + 1:end]
        rows = []
        for index, line in enumerate(body):
            if line.startswith("|") and cells(line)[:2] == ["#", "argument"]:
                rows = [cells(row) for row in body[index + 2:] if row.startswith("|")]
                break
        if count == 0:
            if rows or not any("No arguments." in line for line in body):
                problems.append(f"syscall {name} takes no arguments; its section should say \"No arguments.\" and have no table")
            continue
        if len(rows) != count:
            problems.append(f"syscall {name} takes {count} arguments; its section lists {len(rows)}")
        for position, row in enumerate(rows):
            if len(row) < 5:
                problems.append(f"syscall {name}: argument row {row} has too few columns")
                continue
            if row[0] != str(position):
                problems.append(f"syscall {name}: argument rows out of order at {row[0]}")
            for column, arch in ((2, "x86_64"), (3, "aarch64")):
                registers = convention.get(arch, {}).get("arguments", [])
                if position < len(registers) and unquote(row[column]) != registers[position]:
                    problems.append(f"syscall {name}: argument {position} ({row[1]}) is in {registers[position]} on {arch}, "
                                    f"the doc says {unquote(row[column])}")
        text = " ".join(body)
        for mentioned in re.findall(r"\*\*Errors:\*\*(.*?)(?:\*\*|$)", text):
            for status in re.findall(r"`([A-Z]\w*)`", mentioned):
                if status not in status_names:
                    problems.append(f"syscall {name}: error {status} is not a status in the header")

    # The calling convention table.
    rows = {row[0]: row for _, _, table in tables_after(lines, lambda row: row == ["", "x86_64", "aarch64"]) for row in table}
    for arch, column in (("x86_64", 1), ("aarch64", 2)):
        if arch not in convention:
            continue
        expected = {"syscall number": convention[arch]["number"], "result": convention[arch]["result"]}
        expected.update({f"argument {i}": register for i, register in enumerate(convention[arch]["arguments"])})
        for label, register in expected.items():
            if label not in rows:
                problems.append(f"calling convention table: no row \"{label}\"")
            elif unquote(rows[label][column]) != register:
                problems.append(f"calling convention: {label} on {arch} is {register}, the doc says {unquote(rows[label][column])}")

    # Rights.
    tables = tables_after(lines, lambda row: row == ["bit", "right", "meaning"])
    documented = {unquote(row[1]): int(row[0]) for row in tables[0][2]} if tables else {}
    if not tables:
        problems.append("no rights table (| bit | right | meaning |)")
    for name, bit in header["rights"].items():
        if documented.get(name) != bit:
            problems.append(f"right {name} is bit {bit} in the header, {documented.get(name)} in the doc")
    for name in set(documented) - set(header["rights"]):
        problems.append(f"right {name} is documented but not in the header")

    # Enums.
    for name in ENUMS:
        values = header["enums"].get(name)
        if values is None:
            problems.append(f"enum {name} not found in the header")
            continue
        rows = table_under_heading(lines, f"#### `{name}`", ["value", "name"])
        if rows is None:
            problems.append(f"enum {name} has no table (#### `{name}` then | value | name |)")
            continue
        documented = {unquote(row[1]): int(row[0], 0) for row in rows}
        if documented != values:
            problems.append(f"enum {name}: header {values}, doc {documented}")

    # Constants.
    tables = tables_after(lines, lambda row: row == ["constant", "value"])
    documented = {unquote(row[0]): row[1] for row in tables[0][2]} if tables else {}
    if not tables:
        problems.append("no constants table (| constant | value |)")
    for name in set(header["constants"]) - set(documented):
        problems.append(f"constant {name} is in the header but not documented")
    for name, text in documented.items():
        if name not in header["constants"]:
            problems.append(f"constant {name} is documented but not in the header")
        elif int(text.replace("'", ""), 0) != header["constants"][name]:
            problems.append(f"constant {name} is {header['constants'][name]:#x} in the header, {text} in the doc")

    # Structures.
    for name in struct_names:
        if name not in structs:
            problems.append(f"struct {name} not found in the header")
            continue
        fields, total = structs[name]
        heading = next((line for line in lines if re.fullmatch(rf"#### `{name}` \(\d+ bytes\)", line)), None)
        if heading is None:
            problems.append(f"struct {name} has no section (#### `{name}` (N bytes))")
            continue
        documented_size = int(re.search(r"\((\d+) bytes\)", heading).group(1))
        if documented_size != total:
            problems.append(f"struct {name} is {total} bytes, the doc says {documented_size}")
        rows = table_under_heading(lines, heading, ["offset", "field", "type", "meaning"]) or []
        documented = [(int(row[0]), row[1], row[2]) for row in rows]
        if documented != fields:
            problems.append(f"struct {name}: header fields {fields}, doc {documented}")
    return problems


# --- Self test --------------------------------------------------------------------------------

def self_test(header_text, doc_text, runtime_text=None):
    """Each damage must be reported; the undamaged pair must pass."""
    def replace_once(text, old, new):
        if old not in text:
            raise SystemExit(f"check_abi_doc self-test: cannot find {old!r} to damage")
        return text.replace(old, new, 1)

    section_start = doc_text.index("### `signal_clear` (32)")
    section_end = doc_text.index("### `signal_wait` (33)")
    damages = {
        "a syscall number in the summary": (header_text, replace_once(doc_text, "| 21 | `ring_send` |", "| 24 | `ring_send` |")),
        "an argument count in the summary": (header_text, replace_once(doc_text, "| 61 | `reticle_map` | 6 |", "| 61 | `reticle_map` | 5 |")),
        "a syscall's section removed": (header_text, doc_text[:section_start] + doc_text[section_end:]),
        "an argument row removed": (header_text, replace_once(doc_text, "| 3 | name_length | `r10` | `x3` | bytes in the name, below `kTaskNameMax` |\n", "")),
        "a register swapped": (header_text, replace_once(doc_text, "| 3 | timeout | `r10` | `x3` |", "| 3 | timeout | `rcx` | `x3` |")),
        "a status value": (header_text, replace_once(doc_text, "| 11 | `PeerClosed` |", "| 12 | `PeerClosed` |")),
        "a right's bit": (header_text, replace_once(doc_text, "| 9 | `kRightSupervise` |", "| 7 | `kRightSupervise` |")),
        "an enum value": (header_text, replace_once(doc_text, "| 3 | `PageFaultExecute` |", "| 4 | `PageFaultExecute` |")),
        "a constant": (header_text, replace_once(doc_text, "| `kMessageMaxBytes` | 256 |", "| `kMessageMaxBytes` | 512 |")),
        "a struct offset": (header_text, replace_once(doc_text, "| 24 | pc | u64 |", "| 28 | pc | u64 |")),
        "a struct size": (header_text, replace_once(doc_text, "#### `RingMessage` (32 bytes)", "#### `RingMessage` (40 bytes)")),
        "an unknown error named": (header_text, replace_once(doc_text, "**Errors:** `BadState` (not bound).", "**Errors:** `NotBound`.")),
        "a constant added to the header": (replace_once(header_text, "inline constexpr u32 kTaskNameMax = 16;",
                                                        "inline constexpr u32 kTaskNameMax = 16;\ninline constexpr u32 kTaskArgumentsMax = 8;"), doc_text),
        "a new syscall in the header": (replace_once(header_text, "X(clock_now, 70, 0)", "X(clock_now, 70, 0)             \\\n    X(clock_set, 71, 1)"), doc_text),
        "an argument count changed in the header": (replace_once(header_text, "X(ring_send, 21, 3)", "X(ring_send, 21, 4)"), doc_text),
        "a status added to the header": (replace_once(header_text, '    X(Unsupported, 17, "this architecture or object does not offer it")',
                                                      '    X(Unsupported, 17, "this architecture or object does not offer it") \\\n    X(Busy, 18, "busy")'), doc_text),
        "a struct field added in the header": (replace_once(header_text, "    u32 handle_capacity;  // receive: room in the array\n",
                                                            "    u32 handle_capacity;  // receive: room in the array\n    u64 cookie;\n"), doc_text),
    }
    if runtime_text is not None:
        damages["a StartInfo field moved"] = (header_text, replace_once(doc_text, "| 20 | console | u32 |", "| 24 | console | u32 |"))
    failures = []
    baseline = check(header_text, doc_text, runtime_text)
    if baseline:
        failures.append("the undamaged files do not pass: " + "; ".join(baseline))
    for what, (damaged_header, damaged_doc) in damages.items():
        try:
            problems = check(damaged_header, damaged_doc, runtime_text)
        except SystemExit as refusal:  # a header damaged past parsing is caught too
            problems = [str(refusal)]
        if not problems:
            failures.append(f"damage not caught: {what}")
    for failure in failures:
        print(f"check_abi_doc self-test: {failure}")
    if not failures:
        print(f"check_abi_doc self-test: all {len(damages)} damages caught")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--header", required=True)
    parser.add_argument("--doc", required=True)
    parser.add_argument("--runtime-header", help="user/runtime/start_info.h, for the StartInfo layout")
    parser.add_argument("--self-test", action="store_true")
    arguments = parser.parse_args()
    with open(arguments.header) as file:
        header_text = file.read()
    with open(arguments.doc) as file:
        doc_text = file.read()
    runtime_text = None
    if arguments.runtime_header:
        with open(arguments.runtime_header) as file:
            runtime_text = file.read()
    if arguments.self_test:
        return self_test(header_text, doc_text, runtime_text)
    problems = check(header_text, doc_text, runtime_text)
    for problem in problems:
        print(f"{arguments.doc}: {problem}")
    if not problems:
        header = parse_header(header_text)
        print(f"{arguments.doc} matches {arguments.header}: {len(header['syscalls'])} syscalls, {len(header['statuses'])} statuses, "
              f"{len(header['rights'])} rights, {len(header['enums'])} enums, {len(header['structs'])} structures, "
              f"{len(header['constants'])} constants")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
