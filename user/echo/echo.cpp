// echo: the first interactive program. It shows a prompt, reads a line through the console
// driver and prints it back, for ever.
#include "user/runtime/console.h"
#include "user/runtime/runtime.h"
#include "user/runtime/syscalls.h"

int main(const vectra::StartInfo&) {
    const base::u64 cpus = vectra::sys::cpu_count();
    vectra::println("VectraOS ({}, {} CPU{} running): type a line, it comes back", vectra::kArchitectureName, cpus, cpus == 1 ? "" : "s");
    // Bound: one line per pass; the program lives until it is killed.
    for (;;) {
        (void)vectra::console::write(base::StringView("> "));
        char buffer[vectra::console::kConsoleLineMax];
        auto piece = vectra::console::read_line(base::Span<char>(buffer, sizeof buffer));
        if (piece.is_error()) return 1;
        vectra::println("{}", base::StringView(buffer, piece.value().length));
    }
}
