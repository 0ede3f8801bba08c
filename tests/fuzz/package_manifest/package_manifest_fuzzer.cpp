// libFuzzer target for the manifest decoder: whatever it accepts must re-encode to exactly the
// input (one encoding per manifest), hold only safe relative paths, sorted and unique, and a
// chunk list matching each size.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "packages/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto parsed = packages::decode_manifest(packages::Bytes(data, size));
    if (!parsed.manifest) {
        if (parsed.error.empty()) __builtin_trap();  // every refusal says why
        return 0;
    }
    const auto again = parsed.manifest->encode();
    if (!std::equal(again.begin(), again.end(), data, data + size)) __builtin_trap();
    const auto& files = parsed.manifest->files;
    for (size_t i = 0; i < files.size(); ++i) {
        if (!packages::valid_package_path(files[i].path)) __builtin_trap();
        if (i > 0 && !(files[i - 1].path < files[i].path)) __builtin_trap();
        if (files[i].chunks.size() != packages::chunk_count(files[i].size)) __builtin_trap();
    }
    return 0;
}
