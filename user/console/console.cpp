// The console driver: an ordinary Task that owns the UART (its Bundle and its interrupt Mask,
// bound to a Signal) and serves the console protocol (protocol.h). Each client has a Ring of
// its own, whose server end init sends over the driver's control Ring (a capability in a
// message); replies go back on the client's own Ring, so clients never see each other's.
// It writes what clients send, echoes what is typed (backspace edits) and answers the pending
// ReadLine when Enter arrives. It sleeps on one Signal: its UART's Mask raises one bit, and
// every Ring it serves (control and clients) is bound to another with ring_notify; woken, it
// clears the bits and then drains without blocking, so a message queued meanwhile raises them
// again and is never missed.
#include "user/console/protocol.h"
#include "user/console/uart.h"
#include "user/runtime/runtime.h"
#include "user/runtime/syscalls.h"

namespace abi = vectra::abi;
namespace sys = vectra::sys;
namespace protocol = vectra::console;

namespace {

constexpr base::u64 kReceiveBit = 1;  // the UART's interrupt (its Mask)
constexpr base::u64 kRingBit = 2;     // a message on the control Ring or a client's Ring
constexpr base::u32 kMaxClients = 32;
constexpr int kNoReader = -1;

console::Uart uart;
char line[protocol::kConsoleLineMax];
base::u32 line_length = 0;
int reader = kNoReader;  // the client waiting for a line
bool read_echo = true;
abi::Handle clients[kMaxClients] = {};
abi::Handle wake_signal = abi::kNoHandle;

void write_text(const base::u8* bytes, base::u32 count) {
    for (base::u32 i = 0; i < count; ++i) {
        if (bytes[i] == '\n') uart.write_byte('\r');
        uart.write_byte(bytes[i]);
    }
}

void reply(int client, protocol::Operation operation, abi::Status status, base::u32 flags, const char* payload, base::u32 length) {
    base::u8 buffer[abi::kMessageMaxBytes];
    const protocol::ReplyHeader header{static_cast<base::u16>(operation), static_cast<base::u16>(status), flags};
    __builtin_memcpy(buffer, &header, sizeof header);
    for (base::u32 i = 0; i < length; ++i) buffer[sizeof header + i] = static_cast<base::u8>(payload[i]);
    abi::RingMessage message{reinterpret_cast<base::u64>(buffer), static_cast<base::u32>(sizeof header + length), 0, 0, 0, 0};
    (void)sys::ring_send(clients[client], message, 0);
}

void finish_line(bool continues) {
    if (reader == kNoReader) return;
    reply(reader, protocol::Operation::ReadLine, abi::Status::Ok, continues ? protocol::kLineContinues : protocol::kLineComplete,
          line, line_length);
    line_length = 0;
    if (!continues) reader = kNoReader;
}

void typed(base::u8 byte) {
    if (byte == '\r' || byte == '\n') {
        if (read_echo) write_text(reinterpret_cast<const base::u8*>("\n"), 1);
        if (reader != kNoReader) finish_line(false);
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
    if (line_length == sizeof line) line_length = 0;  // nobody reading: drop the overflow
    line[line_length++] = static_cast<char>(byte);
    if (read_echo) uart.write_byte(byte);
}

void serve(int client, const base::u8* bytes, base::u32 count) {
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
                reply(client, protocol::Operation::ReadLine, abi::Status::InvalidArgument, 0, nullptr, 0);
            } else if (reader != kNoReader && reader != client) {
                reply(client, protocol::Operation::ReadLine, abi::Status::BadState, 0, nullptr, 0);  // someone else reads
            } else {
                reader = client;
                read_echo = (header.argument & protocol::kReadNoEcho) == 0;
            }
            break;
        case protocol::Operation::Flush:
            // Writes go out synchronously, so everything before this is on the wire already.
            reply(client, protocol::Operation::Flush, well_formed ? abi::Status::Ok : abi::Status::InvalidArgument, 0, nullptr, 0);
            break;
    }
}

// New clients: server ends of their Rings, one per control message.
bool accept_clients(abi::Handle control) {
    bool any = false;
    // Bound: kMaxClients messages per pass.
    for (base::u32 round = 0; round < kMaxClients; ++round) {
        abi::Handle received = abi::kNoHandle;
        abi::RingMessage message{0, 0, 0, reinterpret_cast<base::u64>(&received), 0, 1};
        if (sys::ring_receive(control, message, 0).is_error()) break;
        any = true;
        if (message.handle_count != 1 || received == abi::kNoHandle) continue;
        bool placed = false;
        for (abi::Handle& slot : clients) {
            if (slot != abi::kNoHandle) continue;
            if (sys::ring_notify(received, wake_signal, kRingBit).is_error()) break;  // cannot hear it: refuse it
            slot = received;
            placed = true;
            break;
        }
        if (!placed) (void)sys::handle_close(received);
    }
    return any;
}

// Serves what a client has queued (a bounded amount per pass); forgets clients that are gone.
bool serve_client(int client) {
    bool any = false;
    for (int round = 0; round < 16; ++round) {
        base::u8 bytes[abi::kMessageMaxBytes];
        abi::RingMessage message{reinterpret_cast<base::u64>(bytes), 0, sizeof bytes, 0, 0, 0};
        auto received = sys::ring_receive(clients[client], message, 0);
        if (received.is_ok()) {
            serve(client, bytes, message.byte_count);
            any = true;
            continue;
        }
        if (received.error() != abi::Status::WouldBlock) {
            (void)sys::handle_close(clients[client]);
            clients[client] = abi::kNoHandle;
            if (reader == client) reader = kNoReader;
        }
        break;
    }
    return any;
}

}  // namespace

int main(const vectra::StartInfo& start) {
    if (start.handle_count < 3) return 2;
    const abi::Handle registers = start.handles[0], mask = start.handles[1], control = start.handles[2];
    const bool is_16550 = base::StringView(start.arguments, start.arguments_length) == base::StringView("16550");
    if (!uart.init(is_16550, registers, start.self_reticle)) return 3;
    auto signal = sys::signal_create(start.memory_grant);
    if (signal.is_error() || sys::mask_bind(mask, signal.value(), kReceiveBit).is_error()) return 4;
    wake_signal = signal.value();
    if (sys::ring_notify(control, wake_signal, kRingBit).is_error()) return 5;

    // Bound per pass: kMaxClients new clients, 16 messages per client, 64 received bytes. A pass
    // that found work looks again before sleeping (a client may have more than 16 queued).
    bool busy = true;
    for (;;) {
        auto raised = sys::signal_wait(wake_signal, kReceiveBit | kRingBit, busy ? 0 : abi::kForever);
        const base::u64 bits = raised.is_ok() ? raised.value() : 0;
        if (bits != 0) (void)sys::signal_clear(wake_signal, bits);
        if ((bits & kReceiveBit) != 0) {
            // Clear the device's interrupt before draining it: a byte that arrives after the
            // drain raises it again. (The other order loses that byte's interrupt, and the UART
            // then waits for us to read a byte we never hear about.)
            uart.clear_receive_interrupt();
            base::u8 byte;
            for (int i = 0; i < 64 && uart.read_byte(byte); ++i) typed(byte);
            (void)sys::mask_acknowledge(mask);
        }
        busy = accept_clients(control);
        for (int client = 0; client < int(kMaxClients); ++client)
            if (clients[client] != abi::kNoHandle) busy = serve_client(client) || busy;
    }
}
