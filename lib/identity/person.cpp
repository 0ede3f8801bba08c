#include "identity/person.h"

#include <string_view>

#include "identity/kdf.h"

namespace identity {
namespace {

Bytes text(std::string_view s) { return Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

}  // namespace

SigningKey derive_person_key(Bytes entropy32) {
    SecretBuffer seed(kSeedSize);
    hkdf(Hmac::Hash::Sha512, text("VectraOS person v1"), entropy32, text("ed25519 signing key"), seed.span());
    SigningKey key = SigningKey::from_seed(seed.bytes());
    seed.wipe();
    return key;
}

std::string fingerprint(const PublicKey& key) {
    Sha256 hash;
    hash.update(text("VectraOS person fingerprint v1"));
    hash.update(key.bytes);
    const Sha256Digest digest = hash.finish();
    const std::string hex = to_hex(Bytes(digest.bytes.data(), 8));
    return hex.substr(0, 4) + "-" + hex.substr(4, 4) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4);
}

}  // namespace identity
