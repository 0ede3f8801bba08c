// libFuzzer target for timestamp statements (the freeze defence): whatever decode_timestamp
// accepts re-encodes to exactly the input, expires after it is issued, and lists packages with
// valid names, sorted and unique; every refusal says why. Then, since a random input almost
// never carries a valid signature, the input also drives a timestamp we sign ourselves, so the
// parsing past the signature is fuzzed too: it must decode back to the same bytes exactly when
// its fields obey the rules.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "packages/timestamp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const bool ready = identity::crypto_init();
    if (!ready) return 0;
    const auto parsed = packages::decode_timestamp(packages::Bytes(data, size));
    if (parsed) {
        const auto again = parsed->encode();
        if (!std::equal(again.begin(), again.end(), data, data + size)) __builtin_trap();
        if (parsed->expires <= parsed->issued) __builtin_trap();
        for (size_t i = 0; i < parsed->packages.size(); ++i) {
            if (!identity::valid_machine_name(parsed->packages[i].name)) __builtin_trap();
            if (i > 0 && !(parsed->packages[i - 1].name < parsed->packages[i].name)) __builtin_trap();
        }
    } else if (parsed.error().empty()) {
        __builtin_trap();
    }
    // Re-sign: issued, expires and up to four package names from the input.
    if (size < 16) return 0;
    static const auto key = [] {
        std::vector<uint8_t> seed(32, 9);
        return identity::SigningKey::from_seed(seed);
    }();
    packages::Timestamp t;
    for (int i = 0; i < 4; ++i) t.issued = t.issued << 8 | data[i];
    for (int i = 4; i < 8; ++i) t.expires = t.expires << 8 | data[i];
    t.fleet_length = data[8];
    size_t at = 16;
    bool names_ok = true;
    for (int k = 0; k < 4 && at < size; ++k) {
        const size_t length = std::min<size_t>(data[at] % 12, size - at - 1);
        packages::TimestampEntry entry;
        entry.name.assign(reinterpret_cast<const char*>(data + at + 1), length);
        entry.version.parts = {data[at], static_cast<uint32_t>(k), 0};
        names_ok = names_ok && identity::valid_machine_name(entry.name) && (t.packages.empty() || t.packages.back().name < entry.name);
        t.packages.push_back(entry);
        at += 1 + length;
    }
    packages::sign_timestamp(t, key);
    const auto bytes = t.encode();
    const auto decoded = packages::decode_timestamp(bytes);
    const bool valid = names_ok && t.expires > t.issued;
    if (bool(decoded) != valid) __builtin_trap();
    if (decoded && decoded->encode() != bytes) __builtin_trap();
    return 0;
}
