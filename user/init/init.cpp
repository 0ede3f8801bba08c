// init: the first Task. The kernel hands it every initial capability (BootCapabilities); init
// starts the console driver on the UART, then `echo`, then every further program in the boot
// bundle (`./vectra run --program FILE` puts a user's own there), each with a console Ring, and
// then serves as their supervisor: every fault or ending arrives on its fault Ring and is
// reported on the console ("task echo: page fault writing 0x0 at pc 0x401234"), and a faulting
// Task is killed while everything else goes on.
#include "boot_bundle/reader.h"
#include "user/init/spawn.h"
#include "user/runtime/console.h"
#include "user/runtime/layout.h"
#include "user/runtime/runtime.h"
#include "user/runtime/syscalls.h"

namespace abi = vectra::abi;
namespace sys = vectra::sys;
using abi::Handle;

namespace {

// Where init maps the boot bundle to read it (the layout's free range).
constexpr base::u64 kBundleAddress = vectra::layout::kFreeBase;
constexpr base::u32 kMaxChildren = 32;

struct Child {
    Handle task = abi::kNoHandle;
    base::u64 task_id = 0;
    char name[abi::kTaskNameMax] = {};
};
Child children[kMaxChildren];

const char* fault_words(abi::FaultKind kind) {
    switch (kind) {
        case abi::FaultKind::PageFaultRead: return "page fault reading";
        case abi::FaultKind::PageFaultWrite: return "page fault writing";
        case abi::FaultKind::PageFaultExecute: return "page fault executing";
        case abi::FaultKind::IllegalInstruction: return "illegal instruction";
        case abi::FaultKind::Breakpoint: return "breakpoint";
        case abi::FaultKind::Alignment: return "alignment fault";
        case abi::FaultKind::Arithmetic: return "arithmetic fault";
        default: return "fault";
    }
}

Child* child_with_id(base::u64 id) {
    for (Child& child : children)
        if (child.task != abi::kNoHandle && (child.task_id & 0xffff'ffff) == id) return &child;
    return nullptr;
}

void remember(const init::Spawned& spawned, base::StringView name) {
    for (Child& child : children) {
        if (child.task != abi::kNoHandle) continue;
        child.task = spawned.task;
        child.task_id = spawned.task_id;
        for (base::usize i = 0; i < name.size() && i + 1 < sizeof child.name; ++i) child.name[i] = name[i];
        return;
    }
}

Handle console_control = abi::kNoHandle;
Handle memory_grant = abi::kNoHandle;

// A console Ring of its own for one client: its server end goes to the driver over the control
// Ring; the client end is returned (kNoHandle when the driver cannot take another).
Handle new_console() {
    auto ring = sys::ring_create(memory_grant, 16);
    if (ring.is_error()) return abi::kNoHandle;
    Handle server = ring.value().second;
    abi::RingMessage message{0, 0, 0, reinterpret_cast<base::u64>(&server), 1, 0};
    if (sys::ring_send(console_control, message, abi::kForever).is_error()) {
        (void)sys::handle_close(ring.value().first);
        (void)sys::handle_close(ring.value().second);
        return abi::kNoHandle;
    }
    return ring.value().first;
}

bool spawn_or_say(const init::Starter& starter, const init::SpawnRequest& request) {
    const init::SpawnResult result = init::spawn(starter, request);
    // The child holds its own copy of its console end; init's goes, so that the driver sees the
    // Ring close when the child ends.
    if (request.console != abi::kNoHandle) (void)sys::handle_close(request.console);
    if (!result.ok) {
        vectra::println("init: {} refused: {}{}{}", request.name, result.error.what,
                        result.error.status == abi::Status::Ok ? "" : ": ",
                        result.error.status == abi::Status::Ok ? "" : abi::status_text(result.error.status));
        return false;
    }
    remember(result.spawned, request.name);
    return true;
}

// Reports one message from the fault Ring; a faulting Task is killed, an ended one forgotten.
void report(const abi::FaultReport& fault) {
    Child* child = child_with_id(fault.task_id);
    char name[abi::kTaskNameMax + 1] = {};
    for (base::u32 i = 0; i < abi::kTaskNameMax; ++i) name[i] = fault.task_name[i];
    const auto kind = static_cast<abi::FaultKind>(fault.kind);
    if (kind == abi::FaultKind::Exited) {
        vectra::println("task {}: exited with status {}", name, static_cast<base::i64>(fault.status));
    } else if (kind == abi::FaultKind::Killed) {
        vectra::println("task {}: killed", name);
    } else {
        if (kind == abi::FaultKind::PageFaultRead || kind == abi::FaultKind::PageFaultWrite || kind == abi::FaultKind::PageFaultExecute)
            vectra::println("task {}: {} {:#x} at pc {:#x}", name, fault_words(kind), fault.address, fault.pc);
        else
            vectra::println("task {}: {} at pc {:#x}", name, fault_words(kind), fault.pc);
        if (child != nullptr) (void)sys::task_kill(child->task);
    }
    if (child != nullptr && (kind == abi::FaultKind::Exited || kind == abi::FaultKind::Killed)) {
        (void)sys::handle_close(child->task);
        *child = Child{};
    }
}

// Programs init starts itself, or only on request (tests): not started as "further programs".
bool is_not_started_by_default(base::StringView name) {
    const char* const names[] = {"init", "console", "echo", "runtime-tests", "syscall-fuzzer", "bench-ipc"};
    for (const char* known : names)
        if (name == base::StringView(known)) return true;
    return false;
}

// The value of `key=` in the kernel command line, up to the next space.
base::StringView command_line_value(base::StringView line, base::StringView key) {
    for (base::usize i = 0; i + key.size() <= line.size(); ++i) {
        if ((i != 0 && line[i - 1] != ' ') || !(line.substr(i, key.size()) == key)) continue;
        base::usize end = i + key.size();
        while (end < line.size() && line[end] != ' ') ++end;
        return line.substr(i + key.size(), end - i - key.size());
    }
    return {};
}

bool has_word(base::StringView line, base::StringView word) {
    for (base::usize i = 0; i + word.size() <= line.size(); ++i) {
        const bool starts = i == 0 || line[i - 1] == ' ';
        const bool ends = i + word.size() == line.size() || line[i + word.size()] == ' ';
        if (starts && ends && line.substr(i, word.size()) == word) return true;
    }
    return false;
}

// What follows " -- " in the command line: the arguments for a requested program.
base::StringView command_line_rest(base::StringView line) {
    for (base::usize i = 0; i + 4 <= line.size(); ++i)
        if (line.substr(i, 4) == base::StringView(" -- ")) return line.substr(i + 4);
    return {};
}

}  // namespace

int main(const abi::BootCapabilities& boot) {
    // The boot bundle, read in place.
    auto mapped = sys::reticle_map(boot.self_reticle, boot.boot_bundle, 0, kBundleAddress,
                                   (boot.boot_bundle_size + abi::kPageSize - 1) & ~(abi::kPageSize - 1), abi::kProtectRead);
    if (mapped.is_error()) return 10;
    auto reader = boot_bundle::Reader::open(
        base::Span<const base::u8>(reinterpret_cast<const base::u8*>(kBundleAddress), boot.boot_bundle_size));
    if (reader.is_error()) return 11;

    auto faults = sys::ring_create(boot.memory_grant, abi::kRingMaxCapacity);
    auto control = sys::ring_create(boot.memory_grant, 8);
    if (faults.is_error() || control.is_error()) return 12;
    console_control = control.value().first;
    memory_grant = boot.memory_grant;
    const init::Starter starter{&reader.value(), boot.memory_grant, faults.value().first};

    // The console driver first: it owns the UART from now on.
    const Handle driver_capabilities[] = {boot.console_bundle, boot.console_mask, control.value().second};
    init::SpawnRequest driver{};
    driver.name = base::StringView("console");
    driver.arguments = boot.console_kind == 0 ? base::StringView("16550") : base::StringView("pl011");
    driver.extra = base::Span<const Handle>(driver_capabilities, 3);
    driver.grant_pages = 512;
    driver.priority = abi::kPriorityDefault + 4;
    if (!spawn_or_say(starter, driver)) return 13;
    vectra::console::attach(new_console());

    const base::StringView command_line(boot.command_line, __builtin_strlen(boot.command_line));
    base::StringView requested = command_line_value(command_line, base::StringView("run="));
    base::StringView requested_arguments = command_line_rest(command_line);
    if (requested.empty() && has_word(command_line, base::StringView("bench-ipc"))) {
        requested = base::StringView("bench-ipc");  // ./vectra bench ipc
        requested_arguments = command_line;
    }
    if (!requested.empty()) {
        // A test boot: only the requested program, with the arguments after " -- ".
        init::SpawnRequest program{};
        program.name = requested;
        program.arguments = requested_arguments;
        program.console = new_console();
        if (!spawn_or_say(starter, program)) vectra::println("init: run={} could not start", requested);
    } else {
        init::SpawnRequest echo{};
        echo.name = base::StringView("echo");
        echo.console = new_console();
        (void)spawn_or_say(starter, echo);
        // Every further program in the bundle (./vectra run --program FILE adds them).
        for (base::usize i = 0; i < reader.value().count(); ++i) {
            const boot_bundle::Entry entry = reader.value().entry(i);
            if (is_not_started_by_default(entry.name)) continue;
            init::SpawnRequest program{};
            program.name = entry.name;
            program.console = new_console();
            (void)spawn_or_say(starter, program);
        }
    }

    // Supervise for ever. Bound: one message per pass.
    for (;;) {
        abi::FaultReport fault{};
        abi::RingMessage message{reinterpret_cast<base::u64>(&fault), 0, sizeof fault, 0, 0, 0};
        if (sys::ring_receive(faults.value().second, message, abi::kForever).is_error()) continue;
        if (message.byte_count == sizeof fault) report(fault);
    }
}
