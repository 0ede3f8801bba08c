// x86_64 I/O ports from user mode, through a Ports Bundle: the kernel performs each access
// after checking the port lies inside the Bundle's range, so no program ever gets IOPL or an
// I/O bitmap (docs/abi.md, "Port I/O"). `port` counts from the start of the Bundle's range.
//
// The encoding of bundle_port_io's access word is not in lib/abi/abi.h yet; this is the
// runtime's proposal (to confirm with the kernel): bits 0-3 the width in bytes (1, 2 or 4),
// bit 8 set for a write (out), clear for a read (in).
#pragma once

#include "user/runtime/syscalls.h"

namespace vectra::ports {

using base::u16;
using base::u32;
using base::u64;
using base::u8;

inline constexpr u32 kAccessWidthMask = 0xf;
inline constexpr u32 kAccessWrite = 1u << 8;

constexpr u32 access_word(u32 width_bytes, bool write) { return width_bytes | (write ? kAccessWrite : 0); }

inline SysResult<u8> read8(abi::Handle ports, u64 port) {
    const SysResult<u64> value = sys::bundle_port_io(ports, port, access_word(1, false), 0);
    if (value.is_error()) return value.error();
    return static_cast<u8>(value.value());
}
inline SysResult<u16> read16(abi::Handle ports, u64 port) {
    const SysResult<u64> value = sys::bundle_port_io(ports, port, access_word(2, false), 0);
    if (value.is_error()) return value.error();
    return static_cast<u16>(value.value());
}
inline SysResult<u32> read32(abi::Handle ports, u64 port) {
    const SysResult<u64> value = sys::bundle_port_io(ports, port, access_word(4, false), 0);
    if (value.is_error()) return value.error();
    return static_cast<u32>(value.value());
}
inline SysResult<void> write8(abi::Handle ports, u64 port, u8 value) {
    return sys::bundle_port_io(ports, port, access_word(1, true), value).status();
}
inline SysResult<void> write16(abi::Handle ports, u64 port, u16 value) {
    return sys::bundle_port_io(ports, port, access_word(2, true), value).status();
}
inline SysResult<void> write32(abi::Handle ports, u64 port, u32 value) {
    return sys::bundle_port_io(ports, port, access_word(4, true), value).status();
}

}  // namespace vectra::ports
