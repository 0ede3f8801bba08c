// The identity library's only door to cryptography. Every primitive comes from libsodium
// (Ed25519 with strict verification, SHA-256/512, HMAC-SHA-256/512, the OS random source,
// locked and wiped memory, constant-time comparison); nothing of libsodium's API leaks past
// this header, so the same calls can be served by libsodium built for VectraOS later.
// One exception, measured (docs/packages.md): on the host, bulk SHA-256 comes from OpenSSL's
// libcrypto when built with VECTRA_SHA256_OPENSSL, which uses the CPU's SHA instructions and
// is about five times faster than libsodium's portable SHA-256 here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace identity {

using Bytes = std::span<const uint8_t>;

inline constexpr size_t kPublicKeySize = 32;
inline constexpr size_t kSeedSize = 32;
inline constexpr size_t kSignatureSize = 64;

struct PublicKey {
    std::array<uint8_t, kPublicKeySize> bytes{};
    bool operator==(const PublicKey&) const = default;
    auto operator<=>(const PublicKey&) const = default;
};
struct Signature {
    std::array<uint8_t, kSignatureSize> bytes{};
    bool operator==(const Signature&) const = default;
};
struct Sha256Digest {
    std::array<uint8_t, 32> bytes{};
    bool operator==(const Sha256Digest&) const = default;
    auto operator<=>(const Sha256Digest&) const = default;
};
struct Sha512Digest {
    std::array<uint8_t, 64> bytes{};
};

// Initialises libsodium once; false if it cannot (then nothing here may be used).
bool crypto_init();

// Memory for secrets: a libsodium guarded allocation (sodium_malloc: its own pages, locked so
// they are never swapped out, a guard page after the last byte so an overrun faults instead of
// reading a neighbour, and wiped when freed), wiped earlier with wipe(). Fixed size: it never
// regrows, so no unwiped copy is ever left behind. Movable, not copyable.
class SecretBuffer {
public:
    explicit SecretBuffer(size_t size);
    ~SecretBuffer();
    SecretBuffer(SecretBuffer&& other) noexcept;
    SecretBuffer& operator=(SecretBuffer&& other) noexcept;
    SecretBuffer(const SecretBuffer&) = delete;
    SecretBuffer& operator=(const SecretBuffer&) = delete;

    uint8_t* data() { return data_; }
    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    std::span<uint8_t> span() { return {data_, size_}; }
    Bytes bytes() const { return {data_, size_}; }
    // Overwrites the secret with zeros now (the buffer stays usable and locked).
    void wipe();
    std::span<char> chars() { return {reinterpret_cast<char*>(data_), size_}; }

private:
    void release();
    uint8_t* data_ = nullptr;
    size_t size_ = 0;
};

// An Ed25519 signing key. The secret half lives in a SecretBuffer.
class SigningKey {
public:
    static SigningKey from_seed(Bytes seed32);
    PublicKey public_key() const { return public_key_; }
    Signature sign(Bytes message) const;
    void wipe() { secret_.wipe(); }
    const SecretBuffer& secret_for_tests() const { return secret_; }

private:
    SigningKey() : secret_(64) {}
    SecretBuffer secret_;  // libsodium's 64-byte form: seed || public key
    PublicKey public_key_;
};

// Whether `key` can be an Ed25519 public key worth certifying: a canonical encoding of a point
// on the curve, in the main subgroup, not of small order (libsodium's
// crypto_core_ed25519_is_valid_point). Strict verification refuses every signature under a
// key that fails this, so certifying one would enrol a machine that can never sign.
bool usable_public_key(const PublicKey& key);

// Strict Ed25519 verification: rejects non-canonical encodings and small-order keys.
bool verify(const PublicKey& key, Bytes message, const Signature& signature);

Sha256Digest sha256(Bytes data);
Sha512Digest sha512(Bytes data);

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(Bytes data);
    Sha256Digest finish();

private:
    // libsodium's crypto_hash_sha256_state, or OpenSSL's EVP_MD_CTX* (see crypto.cpp).
    alignas(16) uint8_t state_[128];
};

// HMAC over SHA-256 / SHA-512 (RFC 2104), incremental.
class Hmac {
public:
    enum class Hash { Sha256, Sha512 };
    Hmac(Hash hash, Bytes key);
    ~Hmac();
    void update(Bytes data);
    // Writes 32 or 64 bytes.
    void finish(uint8_t* out);
    size_t output_size() const { return hash_ == Hash::Sha256 ? 32 : 64; }

private:
    Hash hash_;
    alignas(16) uint8_t state_[512];
};

void random_bytes(std::span<uint8_t> out);
bool constant_time_equal(Bytes a, Bytes b);
void secure_wipe(void* data, size_t size);

std::string to_hex(Bytes data);
// Parses lowercase or uppercase hex of exactly out.size() bytes.
bool from_hex(std::string_view hex, std::span<uint8_t> out);

}  // namespace identity
