// libFuzzer target for the manifest decoder: whatever it accepts must re-encode to exactly the
// input (one encoding per manifest), hold only safe relative paths, sorted and unique, no file
// that is also a directory, modes within 0777, sizes within the cap, and a chunk list matching
// each size. chunk_count and chunk_length are also checked against an independent computation
// (128-bit arithmetic) for the first 8 input bytes read as any 64-bit size.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "packages/manifest.h"

namespace {

uint64_t reference_chunk_count(uint64_t size) {
    const unsigned __int128 wide = static_cast<unsigned __int128>(size) + packages::kChunkSize - 1;
    return static_cast<uint64_t>(wide / packages::kChunkSize);
}

void check_chunk_arithmetic(uint64_t size) {
    const uint64_t count = packages::chunk_count(size);
    if (count != reference_chunk_count(size)) __builtin_trap();
    if (count == 0) {
        if (size != 0 || packages::chunk_length(size, 0) != 0) __builtin_trap();
        return;
    }
    // The last chunk holds the rest; nothing lies past it; a full chunk before it.
    const unsigned __int128 before_last = static_cast<unsigned __int128>(count - 1) * packages::kChunkSize;
    if (packages::chunk_length(size, count - 1) != static_cast<uint64_t>(size - before_last)) __builtin_trap();
    if (packages::chunk_length(size, count - 1) == 0 || packages::chunk_length(size, count - 1) > packages::kChunkSize) __builtin_trap();
    if (packages::chunk_length(size, count) != 0 || packages::chunk_length(size, UINT64_MAX) != 0) __builtin_trap();
    if (count > 1 && packages::chunk_length(size, count - 2) != packages::kChunkSize) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size >= 8) {
        uint64_t any = 0;
        for (int i = 0; i < 8; ++i) any = any << 8 | data[i];
        check_chunk_arithmetic(any);
        check_chunk_arithmetic(UINT64_MAX - (any & 0xfffff));  // the top of the range, where a sum wraps
    }
    const auto parsed = packages::decode_manifest(packages::Bytes(data, size));
    if (!parsed) {
        if (parsed.error().empty() || parsed.error().size() > 400) __builtin_trap();  // says why, and briefly
        return 0;
    }
    const auto again = parsed->encode();
    if (!std::equal(again.begin(), again.end(), data, data + size)) __builtin_trap();
    const auto& files = parsed->files;
    std::set<std::string> paths;
    for (size_t i = 0; i < files.size(); ++i) {
        if (!packages::valid_package_path(files[i].path)) __builtin_trap();
        if (i > 0 && !(files[i - 1].path < files[i].path)) __builtin_trap();
        if (files[i].mode > 0777 || files[i].size > packages::kMaxFileSize) __builtin_trap();
        if (files[i].chunks.size() != reference_chunk_count(files[i].size)) __builtin_trap();
        for (char c : files[i].path)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) __builtin_trap();
        paths.insert(files[i].path);
    }
    for (const auto& path : paths)  // no file is also a directory
        for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1))
            if (paths.count(path.substr(0, slash))) __builtin_trap();
    return 0;
}
