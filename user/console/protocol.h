// The console protocol: how programs print through the console driver and read lines from it,
// over a Ring the program holds (StartInfo::console). Shared by the driver (user/console/) and
// its clients (user/runtime/console.cpp). Every request and reply is one Ring message of at
// most abi::kMessageMaxBytes bytes, starting with a fixed 8-byte header; no handles travel.
//
//   Write     client sends {Write, n} + n bytes, 1 <= n <= kConsoleWriteMax. No reply: the
//             bounded Ring is the flow control (a client that outruns the UART fills the Ring and
//             its next send blocks until the driver catches up). The driver writes the bytes in
//             order as received, "\n" as the driver's line ending (CR LF on the wire).
//   ReadLine  client calls {ReadLine, flags}; the driver echoes typed characters (unless
//             kReadNoEcho), handles backspace, and replies when Enter is pressed with
//             {ReadLine, Ok, flags} + the line without its line ending. A line longer than
//             kConsoleLineMax comes in several replies: all but the last carry kLineContinues.
//             One ReadLine per Ring end is pending at a time.
//   Flush     client calls {Flush, 0}; the driver replies {Flush, Ok, 0} once every byte
//             written before it has gone to the UART (the runtime flushes before exiting, so a
//             program's last lines come out before its supervisor reports its end).
//
// Write goes with ring_send; ReadLine and Flush with ring_call (send, then receive the reply on
// the same end). A Ring cannot tell a call from a send, so the rule is by operation: ReadLine
// and Flush are always answered — with {operation, InvalidArgument, 0} when malformed — and
// Write never is; a message too short for a header, or with an unknown operation, is dropped.
// The driver never stops serving because of a bad request. Replies name their operation so a
// client can tell them apart. Replies come back on the end that asked, so clients that share a
// Ring end may share Writes but must not read or flush through it at the same time.
#pragma once

#include "abi/abi.h"

namespace vectra::console {

using base::u32;

enum class Operation : u32 { Write = 1, ReadLine = 2, Flush = 3 };

struct RequestHeader {
    u32 operation;  // Operation
    u32 argument;   // Write: the byte count that follows; ReadLine: ReadLineFlags; Flush: 0
};
static_assert(sizeof(RequestHeader) == 8);

struct ReplyHeader {
    base::u16 operation;  // the Operation answered
    base::u16 status;     // abi::Status: Ok, or why the request was refused
    u32 flags;            // ReadLine: LineFlags; else 0
};
static_assert(sizeof(ReplyHeader) == 8);

// ReadLine request flags.
enum ReadLineFlags : u32 {
    kReadEcho = 0,
    kReadNoEcho = 1u << 0,  // for secrets (the 24 words): typed characters are not shown
};
// ReadLine reply flags.
enum LineFlags : u32 {
    kLineComplete = 0,
    kLineContinues = 1u << 0,  // the line goes on in the next reply
};

// The most bytes one Write carries and one ReadLine reply returns.
inline constexpr u32 kConsoleWriteMax = abi::kMessageMaxBytes - sizeof(RequestHeader);
inline constexpr u32 kConsoleLineMax = abi::kMessageMaxBytes - sizeof(ReplyHeader);
static_assert(kConsoleWriteMax == 248 && kConsoleLineMax == 248);

// Checks a received request: the operation is known and the byte count agrees with the
// message length. Returns false for anything malformed (the driver refuses or drops it).
constexpr bool request_is_well_formed(const RequestHeader& header, u32 message_bytes) {
    if (message_bytes < sizeof(RequestHeader)) return false;
    const u32 payload = message_bytes - u32(sizeof(RequestHeader));
    switch (static_cast<Operation>(header.operation)) {
        case Operation::Write: return header.argument >= 1 && header.argument <= kConsoleWriteMax && header.argument == payload;
        case Operation::ReadLine: return payload == 0 && (header.argument & ~u32(kReadNoEcho)) == 0;
        case Operation::Flush: return payload == 0 && header.argument == 0;
    }
    return false;
}

}  // namespace vectra::console
