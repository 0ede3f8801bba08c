// The console client: Write, ReadLine and Flush requests over the program's console Ring
// (user/console/protocol.h).
#include "user/runtime/console.h"

#include "base/utility.h"
#include "user/runtime/memory_functions.h"
#include "user/runtime/syscalls.h"

namespace vectra::console {
namespace {

abi::Handle console_ring = abi::kNoHandle;
base::Sink* fallback = nullptr;

// A request message: the header, then `payload` bytes.
struct RequestBuffer {
    RequestHeader header;
    char payload[kConsoleWriteMax];
};
static_assert(sizeof(RequestBuffer) == abi::kMessageMaxBytes);

struct ReplyBuffer {
    ReplyHeader header;
    char line[kConsoleLineMax];
};
static_assert(sizeof(ReplyBuffer) == abi::kMessageMaxBytes);

// A call to the driver; the result is the reply's line length (0 for Flush).
SysResult<usize> call(const RequestHeader& header, ReplyBuffer& reply, base::u64 timeout) {
    const abi::RingMessage request{reinterpret_cast<base::u64>(&header), sizeof header, 0, 0, 0, 0};
    abi::RingMessage answer{reinterpret_cast<base::u64>(&reply), 0, sizeof reply, 0, 0, 0};
    TRY(sys::ring_call(console_ring, request, answer, timeout));
    // A reply too short, or to another request, means the driver broke the protocol.
    if (answer.byte_count < sizeof(ReplyHeader) || reply.header.operation != header.operation) return Status::InvalidArgument;
    if (reply.header.status != 0) return static_cast<Status>(reply.header.status);
    const usize line_length = answer.byte_count - sizeof(ReplyHeader);
    if (line_length > kConsoleLineMax) return Status::TooLarge;
    return line_length;
}

}  // namespace

void attach(abi::Handle ring) { console_ring = ring; }
abi::Handle attached() { return console_ring; }
void set_fallback(base::Sink* sink) { fallback = sink; }

SysResult<void> write(base::StringView text) {
    if (console_ring == abi::kNoHandle) {
        if (fallback != nullptr && !text.empty()) fallback->write(text.data(), text.size());
        return {};
    }
    RequestBuffer message;
    // Invariant: text[0, sent) has been handed to the Ring, in order.
    for (usize sent = 0; sent < text.size();) {
        const usize piece = base::min<usize>(text.size() - sent, kConsoleWriteMax);
        message.header = RequestHeader{static_cast<base::u32>(Operation::Write), static_cast<base::u32>(piece)};
        memory::copy(message.payload, text.data() + sent, piece);
        const abi::RingMessage request{reinterpret_cast<base::u64>(&message),
                                       static_cast<base::u32>(sizeof(RequestHeader) + piece), 0, 0, 0, 0};
        TRY(sys::ring_send(console_ring, request, abi::kForever));
        sent += piece;
    }
    return {};
}

SysResult<LinePiece> read_line(base::Span<char> buffer, base::u32 flags, base::u64 timeout) {
    if (buffer.size() < kConsoleLineMax) return Status::InvalidArgument;
    if (console_ring == abi::kNoHandle) return Status::BadHandle;
    ReplyBuffer reply;
    const usize length = TRY(call(RequestHeader{static_cast<base::u32>(Operation::ReadLine), flags}, reply, timeout));
    memory::copy(buffer.data(), reply.line, length);  // length <= kConsoleLineMax <= buffer.size()
    return LinePiece{length, (reply.header.flags & kLineContinues) != 0};
}

SysResult<void> flush(base::u64 timeout) {
    if (console_ring == abi::kNoHandle) return {};
    ReplyBuffer reply;
    TRY(call(RequestHeader{static_cast<base::u32>(Operation::Flush), 0}, reply, timeout));
    return {};
}

void print_unbuffered_line(const char* text) {
    ConsoleSink sink;
    sink.write(text, memory::string_length(text));
    sink.write("\n", 1);
}

void ConsoleSink::write(const char* data, usize length) {
    // Invariant: data[0, taken) is in buffer_ or already sent.
    for (usize taken = 0; taken < length;) {
        if (length_ == sizeof buffer_) send();
        const usize piece = base::min(length - taken, sizeof buffer_ - length_);
        memory::copy(buffer_ + length_, data + taken, piece);
        length_ += piece;
        taken += piece;
    }
}

void ConsoleSink::send() {
    if (length_ == 0) return;
    (void)console::write(base::StringView(buffer_, length_));  // a gone driver loses the text, nothing more
    length_ = 0;
}

}  // namespace vectra::console
