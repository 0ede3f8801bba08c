// The smallest VectraOS program: a line on the console through the console Ring it was
// started with, then exit status 0.
#include "user/runtime/console.h"
#include "user/runtime/runtime.h"

int main(const vectra::StartInfo& start) {
    vectra::println("hello from userland ({}), console handle {:#x}", vectra::kArchitectureName, start.console);
    return 0;
}
