// libFuzzer target for the disk-image (ustar) index: any bytes as an image. Every member it
// indexes must lie wholly inside the image.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "packages/tar_image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto index = packages::index_tar(size, [&](uint64_t offset, uint8_t* out) {
        if (offset > size || size - offset < packages::kTarBlock) __builtin_trap();  // asked past the end
        std::memcpy(out, data + offset, packages::kTarBlock);
        return true;
    });
    if (!index) return 0;  // refused: nothing indexed
    for (const auto& [path, member] : *index)
        if (member.offset > size || member.size > size - member.offset) __builtin_trap();
    return 0;
}
