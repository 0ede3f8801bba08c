// echo: the first interactive program. It shows a prompt, reads a line through the console
// driver and prints it back, for ever.
#include "user/runtime/console.h"
#include "user/runtime/runtime.h"

int main(const vectra::StartInfo&) {
    vectra::println("VectraOS ({}): type a line, it comes back", vectra::kArchitectureName);
    // Bound: one line per pass; the program lives until it is killed.
    for (;;) {
        (void)vectra::console::write(base::StringView("> "));
        char buffer[vectra::console::kConsoleLineMax];
        auto piece = vectra::console::read_line(base::Span<char>(buffer, sizeof buffer));
        if (piece.is_error()) return 1;
        vectra::println("{}", base::StringView(buffer, piece.value().length));
    }
}
