// The ustar index: walk header blocks, each followed by its data padded to 512 bytes, until a
// zero block or the end of the image. Later members of one name replace earlier ones (tar's
// own rule for appended archives); only regular files are indexed. An image must end with the
// end-of-archive (zero) block, so one cut exactly between members is still seen as truncated.
#include "packages/tar_image.h"

#include <algorithm>
#include <cstring>

namespace packages {
namespace {

std::string text_field(const uint8_t* at, size_t size) {
    size_t length = 0;
    while (length < size && at[length] != 0) ++length;
    return std::string(reinterpret_cast<const char*>(at), length);
}

// An octal field: optional leading spaces, digits, then NUL or space padding. No base-256.
bool octal_field(const uint8_t* at, size_t size, uint64_t& value) {
    size_t i = 0;
    while (i < size && at[i] == ' ') ++i;
    value = 0;
    size_t digits = 0;
    for (; i < size && at[i] >= '0' && at[i] <= '7'; ++i, ++digits) value = value * 8 + (at[i] - '0');
    for (; i < size; ++i)
        if (at[i] != 0 && at[i] != ' ') return false;
    return digits > 0;
}

// The header checksum: the sum of all 512 bytes with the checksum field read as spaces.
bool checksum_matches(const uint8_t* header) {
    uint64_t stored;
    if (!octal_field(header + 148, 8, stored)) return false;
    uint64_t sum = 0;
    for (size_t i = 0; i < kTarBlock; ++i) sum += (i >= 148 && i < 156) ? ' ' : header[i];
    return sum == stored;
}

}  // namespace

files::Expected<TarIndex> index_tar(uint64_t image_size, const std::function<bool(uint64_t, uint8_t*)>& read_block) {
    TarIndex index;
    auto fail = [](uint64_t at, std::string message) { return files::failure("at byte " + std::to_string(at) + ": " + std::move(message)); };
    uint8_t header[kTarBlock];
    uint64_t at = 0;
    size_t headers = 0;
    // Invariant: [0, at) holds whole members (header plus data padded to a block).
    while (image_size - at >= kTarBlock) {
        if (!read_block(at, header)) return fail(at, "cannot read the image");
        if (std::all_of(header, header + kTarBlock, [](uint8_t b) { return b == 0; })) return index;  // end of archive
        if (std::memcmp(header + 257, "ustar", 5) != 0) return fail(at, "not a ustar header (is this a tar image?)");
        if (!checksum_matches(header)) return fail(at, "header checksum does not match (damaged image)");
        if (header[124] & 0x80) return fail(at, "member size in base-256 form (over 8 GiB) is not supported");
        uint64_t size;
        if (!octal_field(header + 124, 12, size)) return fail(at, "malformed member size");
        const uint64_t padded = (size + kTarBlock - 1) / kTarBlock * kTarBlock;
        if (padded > image_size - at - kTarBlock) return fail(at, "a member runs past the end of the image (truncated?)");
        if (++headers > kMaxTarMembers) return fail(at, "more members than any mirror image holds");
        const std::string name = text_field(header, 100), prefix = text_field(header + 345, 155);
        std::string path = prefix.empty() ? name : prefix + "/" + name;
        while (path.starts_with("./")) path.erase(0, 2);
        const char type = static_cast<char>(header[156]);
        if ((type == '0' || type == '\0') && !path.empty()) index[path] = {at + kTarBlock, size};
        at += kTarBlock + padded;
    }
    if (at != image_size) return fail(at, "the image ends inside a header block (truncated?)");
    return fail(at, "the image ends without the end-of-archive block (truncated?)");
}

}  // namespace packages
