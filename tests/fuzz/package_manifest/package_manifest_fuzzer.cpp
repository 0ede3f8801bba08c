// libFuzzer target for the package parsers: the first byte picks the manifest or the release
// decoder. Whatever parses must re-encode to the same bytes (one encoding per value).
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "packages/manifest.h"
#include "packages/release.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const bool ready = identity::crypto_init();
    if (!ready || size == 0) return 0;
    const packages::Bytes input(data + 1, size - 1);
    if (data[0] % 2 == 0) {
        const auto parsed = packages::decode_manifest(input);
        if (parsed.manifest) {
            const auto again = parsed.manifest->encode();
            if (!std::equal(again.begin(), again.end(), input.begin(), input.end())) __builtin_trap();
            for (const auto& file : parsed.manifest->files)
                if (!packages::valid_package_path(file.path)) __builtin_trap();
        }
    } else {
        const auto parsed = packages::decode_release(input);
        if (parsed.release) {
            const auto again = parsed.release->encode();
            if (!std::equal(again.begin(), again.end(), input.begin(), input.end())) __builtin_trap();
        }
    }
    return 0;
}
