#include "identity/kdf.h"

#include <algorithm>
#include <array>

namespace identity {

bool hkdf(Hmac::Hash hash, Bytes salt, Bytes input_key, Bytes info, std::span<uint8_t> out) {
    const size_t hash_size = hash == Hmac::Hash::Sha256 ? 32 : 64;
    if (out.size() > 255 * hash_size) return false;
    // Extract: PRK = HMAC(salt, IKM); an empty salt means hash_size zero bytes.
    std::array<uint8_t, 64> zero_salt{};
    std::array<uint8_t, 64> pseudo_random_key{};
    Hmac extract(hash, salt.empty() ? Bytes(zero_salt.data(), hash_size) : salt);
    extract.update(input_key);
    extract.finish(pseudo_random_key.data());
    // Expand: T(i) = HMAC(PRK, T(i-1) || info || i).
    std::array<uint8_t, 64> block{};
    size_t written = 0;
    for (uint8_t counter = 1; written < out.size(); ++counter) {
        Hmac expand(hash, Bytes(pseudo_random_key.data(), hash_size));
        if (counter > 1) expand.update(Bytes(block.data(), hash_size));
        expand.update(info);
        expand.update(Bytes(&counter, 1));
        expand.finish(block.data());
        const size_t take = std::min(hash_size, out.size() - written);
        std::copy_n(block.begin(), take, out.begin() + static_cast<std::ptrdiff_t>(written));
        written += take;
    }
    secure_wipe(pseudo_random_key.data(), pseudo_random_key.size());
    secure_wipe(block.data(), block.size());
    return true;
}

void pbkdf2_hmac(Hmac::Hash hash, Bytes password, Bytes salt, uint32_t iterations, std::span<uint8_t> out) {
    const size_t hash_size = hash == Hmac::Hash::Sha256 ? 32 : 64;
    std::array<uint8_t, 64> u{}, t{};
    size_t written = 0;
    for (uint32_t block = 1; written < out.size(); ++block) {
        const uint8_t index[4] = {uint8_t(block >> 24), uint8_t(block >> 16), uint8_t(block >> 8), uint8_t(block)};
        Hmac first(hash, password);
        first.update(salt);
        first.update(Bytes(index, 4));
        first.finish(u.data());
        t = u;
        for (uint32_t i = 1; i < iterations; ++i) {
            Hmac next(hash, password);
            next.update(Bytes(u.data(), hash_size));
            next.finish(u.data());
            for (size_t j = 0; j < hash_size; ++j) t[j] ^= u[j];
        }
        const size_t take = std::min(hash_size, out.size() - written);
        std::copy_n(t.begin(), take, out.begin() + static_cast<std::ptrdiff_t>(written));
        written += take;
    }
    secure_wipe(u.data(), u.size());
    secure_wipe(t.data(), t.size());
}

}  // namespace identity
