// The client side of the console protocol (user/console/protocol.h) and formatted printing:
//     vectra::println("{} passed, {} failed", passed, failed);
// print() formats into one buffer and sends it as one Write message (more when it exceeds
// kConsoleWriteMax), so lines from different programs do not interleave mid-print. The Ring is
// the one the program was started with (StartInfo::console); init, which starts before the
// driver, can attach() one later or set_fallback() a Sink of its own (its UART, directly).
#pragma once

#include "base/format.h"
#include "base/span.h"
#include "base/string_view.h"
#include "user/console/protocol.h"
#include "user/runtime/sys_result.h"

namespace vectra::console {

using base::usize;

// Where output goes from now on (kNoHandle: to the fallback, else nowhere).
void attach(abi::Handle ring);
abi::Handle attached();
// Used while no Ring is attached; null (the default) drops the output.
void set_fallback(base::Sink* sink);

// Sends `text` as Write messages of at most kConsoleWriteMax bytes. Blocks while the Ring is
// full (the driver is behind). PeerClosed when the driver is gone; then nothing more is sent.
SysResult<void> write(base::StringView text);

// One piece of a typed line: `length` bytes were stored in the buffer (no line ending);
// `continues` when the line goes on in the next piece. `buffer` must hold kConsoleLineMax
// bytes (InvalidArgument otherwise); it is not NUL-terminated.
struct LinePiece {
    usize length;
    bool continues;
};
SysResult<LinePiece> read_line(base::Span<char> buffer, base::u32 flags = kReadEcho, base::u64 timeout = abi::kForever);

// Waits until the driver has written everything sent before (or `timeout` ns passed).
SysResult<void> flush(base::u64 timeout);

// One line, sent at once without print's formatting: for reports from deep inside the runtime
// (the heap's refusals), where formatting is not wanted.
void print_unbuffered_line(const char* text);

// A Sink that gathers what print() formats and sends it in Write-sized messages, the rest when
// destroyed.
class ConsoleSink final : public base::Sink {
public:
    ConsoleSink() = default;
    ConsoleSink(const ConsoleSink&) = delete;
    ConsoleSink& operator=(const ConsoleSink&) = delete;
    ~ConsoleSink() { send(); }
    void write(const char* data, usize length) override;
    void send();

private:
    char buffer_[kConsoleWriteMax];
    usize length_ = 0;
};

}  // namespace vectra::console

namespace vectra {

template <class... Arguments>
void print(const char* format, const Arguments&... arguments) {
    console::ConsoleSink sink;
    base::print(sink, format, arguments...);
}

template <class... Arguments>
void println(const char* format, const Arguments&... arguments) {
    console::ConsoleSink sink;
    base::print(sink, format, arguments...);
    sink.write("\n", 1);
}

}  // namespace vectra
