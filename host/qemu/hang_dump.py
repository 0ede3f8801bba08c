"""What every CPU of a hung VectraOS runs and waits for, read by gdb from QEMU's gdb stub.

Run inside gdb-multiarch (qemu.py does, when a check times out):
    gdb-multiarch -nx -batch -ex 'set architecture ...' -ex 'file KERNEL' \
        -ex 'target remote SOCKET' -x hang_dump.py
QEMU stops every virtual CPU while gdb is attached. For each CPU this prints one "cpu N:" entry:
where it is (pc symbolised, kernel or user mode), the thread it runs (id, state, priority, its
Task's name, what it waits on), how many threads wait in its run queue, and its kernel
backtrace; then the kernel lock (holder, how many CPUs spin for it), the threads asleep with a
deadline, and the flight recorder's newest events. It reads the kernel's own structures by their
symbols (kernel/sched/scheduler.cpp's per_cpu, kernel/smp/kernel_lock.cpp's lock word and
holder, kernel/smp/smp.cpp's cpus, kernel/debug/trace.cpp's trace_rings), so it needs the
kernel ELF with its symbols. Everything is best effort: a field it cannot read says so.
"""
import gdb  # noqa: provided by gdb itself

PER_CPU = "'kernel::sched::(anonymous namespace)::per_cpu'"
TIMEOUTS = "'kernel::sched::(anonymous namespace)::timeouts'"
LOCK_NAMESPACE = "kernel::kernel_lock::(anonymous namespace)::"
HOLDER = f"'{LOCK_NAMESPACE}holder'"
CPU_LOCALS = "'kernel::(anonymous namespace)::cpus'"
TRACE_RINGS = "'kernel::trace::(anonymous namespace)::trace_rings'"
TRACE_TAIL = 48  # events shown, the newest of all CPUs' rings
TRACE_LOOK_BACK = 160  # events read per CPU, so that untimed ones find a timed one before them
KERNEL_HALF = 0xffff_0000_0000_0000
NOBODY = 0xffff_ffff


def value(expression):
    try:
        return gdb.parse_and_eval(expression)
    except gdb.error:
        return None


def integer(field):
    """An integer, also through base::Atomic (one member holding the value) and enums."""
    try:
        return int(field)
    except (gdb.error, TypeError, ValueError):
        pass
    try:
        for member in field.type.strip_typedefs().fields():
            return integer(field[member.name])
    except (gdb.error, TypeError, AttributeError):
        pass
    return None


def symbol_at(address):
    if address is None:
        return "?"
    if address < KERNEL_HALF:
        return f"{address:#x} (user mode)"
    block = gdb.execute(f"info symbol {address:#x}", to_string=True).strip()
    name = block.split(" in section")[0] if "No symbol" not in block else "?"
    return f"{address:#x} {name}"


def task_name(thread):
    try:
        task = thread["task"]
        if int(task) == 0:
            return "(kernel thread)"
        return '"' + task["name_"].string(length=32).split("\0")[0] + '"'
    except gdb.error as error:
        return f"(unreadable: {error})"


def describe_thread(thread):
    """id, state, priority, Task and what it waits on, for a kernel::Thread* (or None)."""
    if thread is None or int(thread) == 0:
        return "no thread"
    try:
        waiting = int(thread["waiting_on"])
        text = (f"thread {int(thread['id'])} of {task_name(thread)}, state {str(thread['state']).split('::')[-1]}, "
                f"priority {int(thread['priority'])}")
        if waiting:
            text += f", waiting on queue {waiting:#x} (argument {int(thread['wait_argument']):#x})"
        deadline = integer(thread["deadline"])
        if deadline is not None and deadline != 0xffff_ffff_ffff_ffff:
            text += f", deadline {deadline} ns"
        if bool(thread["kill_pending"]):
            text += ", kill pending"
        if bool(thread["stop_pending"]):
            text += ", stop pending"
        return text
    except gdb.error as error:
        return f"thread at {int(thread):#x} (unreadable: {error})"


def run_queue_length(cpu_scheduler):
    try:
        queues = cpu_scheduler["run_queues"]["queues_"]
        count = 0
        low, high = queues.type.range()
        for priority in range(low, high + 1):
            sentinel = queues[priority]["sentinel_"]
            node = sentinel["next"]
            # Bound: 256 threads per queue (a corrupted list ends here too).
            for _ in range(256):
                if int(node) == int(sentinel.address):
                    break
                count += 1
                node = node["next"]
        return str(count)
    except gdb.error as error:
        return f"? ({error})"


def kernel_index_of(vcpu, bases, cpu_locals, cpu_total):
    """The kernel's index of a QEMU CPU: by its CpuLocal pointer (x86_64 GS bases, read while
    that CPU was selected) if gdb shows it, else by hardware id (APIC id / MPIDR affinity 0 ==
    QEMU's CPU number)."""
    for base in bases:
        if cpu_locals is not None and base:
            for index in range(cpu_total):
                if int(cpu_locals[index].address) == base:
                    return index
    if cpu_locals is not None:
        for index in range(cpu_total):
            hardware = integer(cpu_locals[index]["hardware_id"])
            if hardware is not None and (hardware & 0xff) == vcpu and bool(cpu_locals[index]["online"]):
                return index
    return vcpu


def stop_a_cpu_in_the_kernel():
    """Every CPU was in user mode: lets the machine run until one of them enters the kernel's
    timer tick, which each CPU's timer brings within a tick, and leaves that CPU selected. What
    each CPU showed of itself was taken before, so the picture of the hang stays as it was."""
    try:
        gdb.execute("tbreak 'kernel::sched::tick_without_lock'", to_string=True)
        gdb.execute("continue", to_string=True)
        print("(every CPU was in user mode: kernel memory is read through a CPU stopped in its next tick)")
    except gdb.error as error:
        print(f"(every CPU was in user mode and none could be stopped in the kernel: {error})")


def print_trace_tail(cpu_total):
    """The newest events of the kernel's flight recorder (kernel/debug/trace.h), all CPUs merged
    by time: what led up to the hang (kicks sent and taken, switches, idle sleeps, lock waits).
    Hot-path events carry no time of their own: each takes that of the last timed event before
    it on its CPU, marked "~"."""
    rings = value(TRACE_RINGS)
    if rings is None:
        print("trace: ? (no trace_rings symbol)")
        return
    events = []
    try:
        for index in range(cpu_total):
            ring = rings[index]
            recorded = integer(ring["next"])
            size = int(ring["events"].type.range()[1]) + 1
            last_time = None
            # Bound: TRACE_LOOK_BACK events per CPU (the older ones only lend their times).
            for sequence in range(max(0, recorded - TRACE_LOOK_BACK), recorded):
                event = ring["events"][sequence % size]
                name = str(event["event"]).split("::")[-1]
                time = integer(event["time"])
                estimated = not time
                if time:
                    last_time = time
                elif last_time is None:
                    continue  # no timed event before it to place it by
                events.append((last_time, index, sequence, estimated, name, integer(event["a"]), integer(event["b"])))
    except gdb.error as error:
        print(f"trace: ? ({error})")
    events.sort()
    for time, index, _, estimated, name, a, b in events[-TRACE_TAIL:]:
        print(f"trace: {'~' if estimated else ' '}{time / 1e6:12.3f} ms cpu {index} {name} {a} {b}")


def main():
    gdb.execute("set pagination off")
    gdb.execute("set print pretty off")
    threads = list(gdb.selected_inferior().threads())
    threads.sort(key=lambda thread: thread.num)
    print(f"hang dump: {len(threads)} CPUs (QEMU stopped them for gdb)")
    cpu_total = len(threads)
    # First what each CPU shows of itself: its registers and its backtrace.
    seen = []
    for inferior_thread in threads:
        inferior_thread.switch()
        pc = integer(value("$pc"))
        bases = [integer(value(register)) for register in ("$gs_base", "$k_gs_base")]
        frames = gdb.execute("bt 12", to_string=True).strip().splitlines()
        seen.append((inferior_thread, pc, bases, frames))
    # Kernel memory is read through a CPU that is in the kernel: on aarch64 a CPU in user mode
    # sees it as QEMU's EL0 does, not at all.
    reader = next((thread for thread, pc, _, _ in seen if pc is not None and pc >= KERNEL_HALF), None)
    if reader is not None:
        reader.switch()
    else:
        stop_a_cpu_in_the_kernel()
    per_cpu = value(PER_CPU)
    cpu_locals = value(CPU_LOCALS)
    holder = integer(value(HOLDER))
    locked = integer(value(f"'{LOCK_NAMESPACE}locked'"))
    spinning = integer(value(f"'{LOCK_NAMESPACE}waiting'"))
    sleepers = integer(value(f"'{LOCK_NAMESPACE}sleepers'"))
    for inferior_thread, pc, bases, frames in seen:
        try:
            index = kernel_index_of(inferior_thread.num - 1, bases, cpu_locals, cpu_total)
        except gdb.error:
            index = inferior_thread.num - 1
        print(f"cpu {index}: pc {symbol_at(pc)}")
        try:
            if per_cpu is not None:
                scheduler = per_cpu[index]
                running = scheduler["running"]
                idle = scheduler["idle_thread"]
                if int(running) != 0 and int(running) == int(idle):
                    print(f"  runs: its idle thread (thread {int(running['id'])})")
                else:
                    print(f"  runs: {describe_thread(running)}")
                print(f"  ready to run here: {run_queue_length(scheduler)} threads; reschedule asked: "
                      f"{bool(scheduler['reschedule'])}; scheduling: {bool(scheduler['started'])}")
            else:
                print("  runs: ? (no per_cpu symbol: is the kernel ELF the one QEMU runs?)")
        except gdb.error as error:
            print(f"  runs: ? (kernel memory unreadable: no CPU was in the kernel to read it through; {error})")
        in_lock = any("kernel_lock" in frame and "acquire" in frame for frame in frames)
        if holder == index:
            waits = "nothing: it holds the kernel lock"
        elif in_lock:
            waits = ("the kernel lock (" + (f"held by cpu {holder}" if holder != NOBODY
                                             else "just released or being taken") + ")")
        elif pc is not None and pc < KERNEL_HALF:
            waits = "nothing: in user mode"
        elif any("wait_for_interrupt" in frame or "idle_loop" in frame for frame in frames):
            waits = "an interrupt (idle)"
        else:
            waits = "? (in the kernel, see the backtrace)"
        print(f"  waits for: {waits}")
        for frame in frames:
            print(f"    {frame}")
    holder_text = "nobody" if holder in (None, NOBODY) else f"cpu {holder}"
    print(f"kernel lock: held by {holder_text}; locked {'?' if locked is None else locked}; "
          f"{'?' if spinning is None else spinning} CPUs spinning for it"
          + (f"; CPUs asleep waiting for it: mask {sleepers:#x}" if sleepers is not None else ""))
    timeouts = value(TIMEOUTS)
    if timeouts is not None:
        try:
            sentinel = timeouts["sentinel_"]
            node = sentinel["next"]
            thread_type = gdb.lookup_type("kernel::Thread")
            offset = int(gdb.parse_and_eval("&((kernel::Thread*)0)->timeout_link"))
            shown = 0
            # Bound: 64 entries.
            while int(node) != int(sentinel.address) and shown < 64:
                thread = gdb.Value(int(node) - offset).cast(thread_type.pointer())
                print(f"asleep with a deadline: {describe_thread(thread)}")
                node = node["next"]
                shown += 1
        except gdb.error as error:
            print(f"asleep with a deadline: ? ({error})")
    print_trace_tail(cpu_total)
    print("hang dump: end")


main()
