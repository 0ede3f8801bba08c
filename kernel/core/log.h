// The kernel log: formatted lines on the early console (16550 COM1 on x86_64, PL011 on aarch64).
#pragma once

#include "base/format.h"

namespace kernel {

// A Sink writing to the early console.
base::Sink& console();

// Prints one formatted line to the console: log("frames: {} free", count).
template <class... Args>
void log(const char* format, const Args&... args) {
    base::print(console(), format, args...);
    base::print(console(), "\n");
}

}  // namespace kernel
