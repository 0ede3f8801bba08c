// Disk images as mirrors: an uncompressed POSIX ustar archive of a mirror directory (made with
// e.g. `tar -C STORE -cf image.tar .`). Only the index of regular members is kept in memory;
// member bytes are read on demand. The index is built from untrusted bytes, so every header
// is bounds-checked and checksummed, and a member running past the image's end is refused.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "files/expected.h"

namespace packages {

struct TarMember {
    uint64_t offset = 0;  // of the member's data within the image
    uint64_t size = 0;
};

// The regular members by path: "blobs/ab/cd…", "releases/NAME"; "./" stripped.
using TarIndex = std::map<std::string, TarMember>;

inline constexpr size_t kTarBlock = 512;
inline constexpr size_t kMaxTarMembers = 4'000'000;

// `read_block(offset, out)` reads the 512 bytes at `offset` (false if it cannot).
// The index of a well-formed archive, or why the image is not one.
[[nodiscard]] files::Expected<TarIndex> index_tar(uint64_t image_size, const std::function<bool(uint64_t, uint8_t*)>& read_block);

}  // namespace packages
