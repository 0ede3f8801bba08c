// libFuzzer target for the release decoder. A release it accepts must re-encode to exactly the
// input and verify under its signer. Random bytes almost never carry a valid signature, so
// the second half of each run re-signs the input's fields with a fixed key and checks that
// decoding that round-trips: the field parsing is fuzzed past the signature check too.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "packages/release.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const bool ready = identity::crypto_init();
    if (!ready) return 0;
    const auto parsed = packages::decode_release(packages::Bytes(data, size));
    if (parsed) {
        const auto again = parsed->encode();
        if (!std::equal(again.begin(), again.end(), data, data + size)) __builtin_trap();
    } else if (parsed.error().empty()) {
        __builtin_trap();
    }
    // Re-sign: take the name, version, manifest and time from the input, if long enough.
    if (size < 1 + 12 + 32 + 8) return 0;
    static const auto key = [] {
        std::vector<uint8_t> seed(32, 5);
        return identity::SigningKey::from_seed(seed);
    }();
    packages::Release release;
    const size_t name_length = std::min<size_t>(data[0] % 70, size - 53);
    release.name.assign(reinterpret_cast<const char*>(data + 1), name_length);
    const uint8_t* p = data + 1 + name_length;
    for (int i = 0; i < 3; ++i) release.version.parts[i] = uint32_t(p[4 * i]) << 24 | uint32_t(p[4 * i + 3]);
    std::copy(p + 12, p + 44, release.manifest.bytes.begin());
    release.time = p[44];
    packages::sign_release(release, key);
    const auto bytes = release.encode();
    const auto decoded = packages::decode_release(bytes);
    const bool name_ok = identity::valid_machine_name(release.name);
    if (bool(decoded) != name_ok) __builtin_trap();  // only the name can be wrong
    if (decoded && decoded->encode() != bytes) __builtin_trap();
    return 0;
}
