// The Linux system calls the benchmark needs, typed, over the architecture's raw syscall layer,
// and a line writer for the console. Every call returns the kernel's raw result: a negative
// value is -errno.
#pragma once

#include <stdint.h>

#if defined(__x86_64__)
#include "arch_x86_64.h"
#elif defined(__aarch64__)
#include "arch_aarch64.h"
#else
#error "the Linux IPC benchmark is built for x86_64 and aarch64 only"
#endif

extern "C" {
// The compiler may call these for aggregate initialisation; there is no libc to provide them.
// Defined here, not inline: each benchmark program is one translation unit that includes this
// header once.
void* memset(void* destination, int value, unsigned long length) {
    auto* bytes = static_cast<unsigned char*>(destination);
    for (unsigned long i = 0; i < length; ++i) bytes[i] = static_cast<unsigned char>(value);
    return destination;
}
void* memcpy(void* destination, const void* source, unsigned long length) {
    auto* to = static_cast<unsigned char*>(destination);
    const auto* from = static_cast<const unsigned char*>(source);
    for (unsigned long i = 0; i < length; ++i) to[i] = from[i];
    return destination;
}
}

extern "C" long spawn_thread(long flags, void (*entry)(void*), void* argument, void* stack_top,
                             int* tid);

namespace linux_abi {

constexpr long at_current_directory = -100;
constexpr long open_read_write = 2, open_write_only = 1, open_no_controlling_tty = 0x100;
constexpr long clock_monotonic = 1;
constexpr long futex_wait = 0, futex_wake = 1, futex_private = 128;
constexpr long address_family_unix = 1, socket_stream = 1;
constexpr long signal_child = 17;
constexpr long clone_vm = 0x100, clone_fs = 0x200, clone_files = 0x400, clone_sighand = 0x800,
               clone_thread = 0x10000, clone_sysvsem = 0x40000, clone_parent_settid = 0x100000,
               clone_child_cleartid = 0x200000;
// A thread as pthreads makes one, whose tid word the kernel clears (and wakes) when it exits.
constexpr long thread_flags = clone_vm | clone_fs | clone_files | clone_sighand | clone_thread |
                              clone_sysvsem | clone_parent_settid | clone_child_cleartid;
constexpr long terminal_drain = 0x5409;  // TCSBRK with a nonzero argument: wait for output to drain
constexpr long reboot_magic1 = 0xfee1dead, reboot_magic2 = 672274793, reboot_power_off = 0x4321fedc;

struct Timespec {
    long seconds;
    long nanoseconds;
};

struct Utsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

inline long write_bytes(int fd, const void* data, unsigned long length) {
    return syscall6(write, fd, long(data), long(length));
}
inline long read_bytes(int fd, void* data, unsigned long length) {
    return syscall6(read, fd, long(data), long(length));
}
inline long open_path(const char* path, long flags) {
    return syscall6(openat, at_current_directory, long(path), flags, 0);
}
inline long close_fd(int fd) { return syscall6(close, fd); }
inline long make_directory(const char* path) {
    return syscall6(mkdirat, at_current_directory, long(path), 0555);
}
inline long mount_filesystem(const char* source, const char* target, const char* type) {
    return syscall6(mount, long(source), long(target), long(type), 0, 0);
}
inline long current_pid() { return syscall6(getpid); }
inline long parent_pid() { return syscall6(getppid); }
inline long yield_cpu() { return syscall6(sched_yield); }

inline uint64_t monotonic_ns() {
    Timespec now{};
    syscall6(clock_gettime, clock_monotonic, long(&now));
    return uint64_t(now.seconds) * 1000000000ull + uint64_t(now.nanoseconds);
}

// Pins the calling thread (pid 0) to one CPU; children and new threads inherit it.
inline long pin_to_cpu(int cpu) {
    unsigned long mask = 1ul << cpu;
    return syscall6(sched_setaffinity, 0, sizeof mask, long(&mask));
}
// The calling thread's scheduling policy: 0 (SCHED_OTHER, priority 0) or 1 (SCHED_FIFO).
constexpr long policy_normal = 0, policy_fifo = 1;
inline long set_policy(long policy, int priority) {
    return syscall6(sched_setscheduler, 0, policy, long(&priority));
}
inline int count_online_cpus() {
    unsigned long mask = 0;
    if (syscall6(sched_getaffinity, 0, sizeof mask, long(&mask)) < 0) return 1;
    return __builtin_popcountl(mask);
}

inline long wait_word(int* word, int expected, bool private_futex = true) {
    return syscall6(futex, long(word), futex_wait | (private_futex ? futex_private : 0), expected, 0);
}
inline long wake_word(int* word, bool private_futex = true) {
    return syscall6(futex, long(word), futex_wake | (private_futex ? futex_private : 0), 1);
}

inline long make_pipe(int fds[2]) { return syscall6(pipe2, long(fds), 0); }
inline long make_socket_pair(int fds[2]) {
    return syscall6(socketpair, address_family_unix, socket_stream, 0, long(fds));
}

// A process sharing nothing with this one but its open files (fork).
inline long fork_process() { return syscall6(clone, signal_child, 0, 0, 0, 0); }
inline long wait_for_child(long pid) {
    int status = 0;
    return syscall6(wait4, pid, long(&status), 0, 0);
}
[[noreturn]] inline void exit_process(int code) {
    for (;;) syscall6(exit_group, code);
}

inline long drain_output(int fd) { return syscall6(ioctl, fd, terminal_drain, 1); }
inline long power_off() {
    return syscall6(reboot, reboot_magic1, reboot_magic2, reboot_power_off, 0);
}

}  // namespace linux_abi

// One console line, built in place and written with a single write so that it arrives whole.
class Line {
public:
    explicit Line(int fd) : fd_(fd) {}
    Line& text(const char* s) {
        while (*s && length_ < sizeof buffer_ - 1) buffer_[length_++] = *s++;
        return *this;
    }
    Line& number(uint64_t value) {
        char digits[24];
        int count = 0;
        do {
            digits[count++] = char('0' + value % 10);
            value /= 10;
        } while (value != 0);
        while (count > 0 && length_ < sizeof buffer_ - 1) buffer_[length_++] = digits[--count];
        return *this;
    }
    Line& signed_number(long value) {
        if (value < 0) {
            text("-");
            return number(uint64_t(-value));
        }
        return number(uint64_t(value));
    }
    void send() {
        buffer_[length_++] = '\n';
        linux_abi::write_bytes(fd_, buffer_, length_);
        length_ = 0;
    }

private:
    int fd_;
    unsigned long length_ = 0;
    char buffer_[256];
};
