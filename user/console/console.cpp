// The console driver: an ordinary Task that owns the UART (its Bundle and its interrupt Mask,
// bound to a Signal) and serves the console protocol (protocol.h) on a Ring. It writes what
// clients send, echoes what is typed (backspace edits), and answers a pending ReadLine when
// Enter arrives. One Ring end is served; it waits on it with a short timeout and checks the
// receive Signal in between (the kernel has no wait on several objects yet).
#include "user/console/protocol.h"
#include "user/console/uart.h"
#include "user/runtime/runtime.h"
#include "user/runtime/syscalls.h"

namespace abi = vectra::abi;
namespace sys = vectra::sys;
namespace protocol = vectra::console;

namespace {

constexpr base::u64 kReceiveBit = 1;
constexpr base::u64 kPollNanoseconds = 10'000'000;  // 10 ms

console::Uart uart;
char line[protocol::kConsoleLineMax];
base::u32 line_length = 0;
bool read_pending = false;
bool read_echo = true;
abi::Handle ring = abi::kNoHandle;

void write_text(const base::u8* bytes, base::u32 count) {
    for (base::u32 i = 0; i < count; ++i) {
        if (bytes[i] == '\n') uart.write_byte('\r');
        uart.write_byte(bytes[i]);
    }
}

void reply(protocol::Operation operation, abi::Status status, base::u32 flags, const char* payload, base::u32 length) {
    base::u8 buffer[abi::kMessageMaxBytes];
    const protocol::ReplyHeader header{static_cast<base::u16>(operation), static_cast<base::u16>(status), flags};
    __builtin_memcpy(buffer, &header, sizeof header);
    for (base::u32 i = 0; i < length; ++i) buffer[sizeof header + i] = static_cast<base::u8>(payload[i]);
    abi::RingMessage message{reinterpret_cast<base::u64>(buffer), static_cast<base::u32>(sizeof header + length), 0, 0, 0, 0};
    (void)sys::ring_send(ring, message, 0);
}

void finish_line(bool continues) {
    reply(protocol::Operation::ReadLine, abi::Status::Ok, continues ? protocol::kLineContinues : protocol::kLineComplete, line,
          line_length);
    line_length = 0;
    if (!continues) read_pending = false;
}

void typed(base::u8 byte) {
    if (byte == '\r' || byte == '\n') {
        if (read_echo) write_text(reinterpret_cast<const base::u8*>("\n"), 1);
        if (read_pending) finish_line(false);
        else line_length = 0;
        return;
    }
    if (byte == 0x7f || byte == 0x08) {
        if (line_length > 0) {
            --line_length;
            if (read_echo) write_text(reinterpret_cast<const base::u8*>("\b \b"), 3);
        }
        return;
    }
    if (byte < 0x20) return;  // other control characters are ignored
    if (line_length == sizeof line) finish_line(true);
    line[line_length++] = static_cast<char>(byte);
    if (read_echo) uart.write_byte(byte);
}

void serve(const base::u8* bytes, base::u32 count) {
    protocol::RequestHeader header;
    if (count < sizeof header) return;
    __builtin_memcpy(&header, bytes, sizeof header);
    const bool well_formed = protocol::request_is_well_formed(header, count);
    switch (static_cast<protocol::Operation>(header.operation)) {
        case protocol::Operation::Write:
            if (well_formed) write_text(bytes + sizeof header, header.argument);
            break;
        case protocol::Operation::ReadLine:
            if (!well_formed) {
                reply(protocol::Operation::ReadLine, abi::Status::InvalidArgument, 0, nullptr, 0);
                break;
            }
            read_pending = true;
            read_echo = (header.argument & protocol::kReadNoEcho) == 0;
            break;
        case protocol::Operation::Flush:
            // Writes go out synchronously, so everything before this is on the wire already.
            reply(protocol::Operation::Flush, well_formed ? abi::Status::Ok : abi::Status::InvalidArgument, 0, nullptr, 0);
            break;
    }
}

}  // namespace

int main(const vectra::StartInfo& start) {
    if (start.handle_count < 3) return 2;
    const abi::Handle registers = start.handles[0], mask = start.handles[1];
    ring = start.handles[2];
    const bool is_16550 = base::StringView(start.arguments, start.arguments_length) == base::StringView("16550");
    if (!uart.init(is_16550, registers, start.self_reticle)) return 3;
    auto signal = sys::signal_create(start.memory_grant);
    if (signal.is_error() || sys::mask_bind(mask, signal.value(), kReceiveBit).is_error()) return 4;

    // Bound: each pass handles at most one message and the bytes the UART holds.
    for (;;) {
        base::u8 bytes[abi::kMessageMaxBytes];
        abi::RingMessage message{reinterpret_cast<base::u64>(bytes), 0, sizeof bytes, 0, 0, 0};
        auto received = sys::ring_receive(ring, message, kPollNanoseconds);
        if (received.is_ok()) serve(bytes, message.byte_count);
        else if (received.error() == abi::Status::PeerClosed) return 0;
        auto raised = sys::signal_wait(signal.value(), kReceiveBit, 0);
        if (raised.is_ok()) {
            (void)sys::signal_clear(signal.value(), kReceiveBit);
            base::u8 byte;
            for (int i = 0; i < 64 && uart.read_byte(byte); ++i) typed(byte);
            uart.clear_receive_interrupt();
            (void)sys::mask_acknowledge(mask);
        }
    }
}
