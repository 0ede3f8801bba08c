// libsodium behind identity/crypto.h.
#include "identity/crypto.h"

#include <sodium.h>
#if VECTRA_SHA256_OPENSSL
#include <openssl/evp.h>
#endif

#include <cstdlib>
#include <cstring>
#include <utility>

namespace identity {

static_assert(sizeof(crypto_hash_sha256_state) <= 128);
static_assert(sizeof(crypto_auth_hmacsha256_state) <= 512 && sizeof(crypto_auth_hmacsha512_state) <= 512);
static_assert(crypto_sign_PUBLICKEYBYTES == kPublicKeySize && crypto_sign_BYTES == kSignatureSize &&
              crypto_sign_SEEDBYTES == kSeedSize && crypto_sign_SECRETKEYBYTES == 64);

bool crypto_init() { return sodium_init() >= 0; }

SecretBuffer::SecretBuffer(size_t size) : size_(size) {
    data_ = static_cast<uint8_t*>(sodium_malloc(size == 0 ? 1 : size));
    if (data_ == nullptr) std::abort();  // out of memory (or of lockable pages): nowhere safe to put a secret
    sodium_memzero(data_, size == 0 ? 1 : size);  // sodium_malloc fills with 0xdb
}

SecretBuffer::~SecretBuffer() { release(); }

void SecretBuffer::release() {
    if (data_ == nullptr) return;
    sodium_free(data_);  // wipes, unlocks and unmaps
    data_ = nullptr;
}

SecretBuffer::SecretBuffer(SecretBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(other.size_) {}

SecretBuffer& SecretBuffer::operator=(SecretBuffer&& other) noexcept {
    if (this != &other) {
        release();
        data_ = std::exchange(other.data_, nullptr);
        size_ = other.size_;
    }
    return *this;
}

void SecretBuffer::wipe() {
    if (data_) sodium_memzero(data_, size_);
}

SigningKey SigningKey::from_seed(Bytes seed32) {
    if (seed32.size() != kSeedSize) std::abort();  // a programming error, not input
    SigningKey key;
    crypto_sign_seed_keypair(key.public_key_.bytes.data(), key.secret_.data(), seed32.data());
    return key;
}

Signature SigningKey::sign(Bytes message) const {
    Signature signature;
    crypto_sign_detached(signature.bytes.data(), nullptr, message.data(), message.size(), secret_.data());
    return signature;
}

bool usable_public_key(const PublicKey& key) { return crypto_core_ed25519_is_valid_point(key.bytes.data()) == 1; }

bool verify(const PublicKey& key, Bytes message, const Signature& signature) {
    return crypto_sign_verify_detached(signature.bytes.data(), message.data(), message.size(), key.bytes.data()) == 0;
}

Sha256Digest sha256(Bytes data) {
    Sha256Digest digest;
#if VECTRA_SHA256_OPENSSL
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest.bytes.data(), &length, EVP_sha256(), nullptr) != 1) std::abort();
#else
    crypto_hash_sha256(digest.bytes.data(), data.data(), data.size());
#endif
    return digest;
}

Sha512Digest sha512(Bytes data) {
    Sha512Digest digest;
    crypto_hash_sha512(digest.bytes.data(), data.data(), data.size());
    return digest;
}

#if VECTRA_SHA256_OPENSSL
static_assert(sizeof(EVP_MD_CTX*) <= 128);
static EVP_MD_CTX*& context(uint8_t* state) { return *reinterpret_cast<EVP_MD_CTX**>(state); }
Sha256::Sha256() {
    context(state_) = EVP_MD_CTX_new();
    if (context(state_) == nullptr || EVP_DigestInit_ex(context(state_), EVP_sha256(), nullptr) != 1) std::abort();
}
Sha256::~Sha256() { EVP_MD_CTX_free(context(state_)); }
void Sha256::update(Bytes data) {
    if (EVP_DigestUpdate(context(state_), data.data(), data.size()) != 1) std::abort();
}
Sha256Digest Sha256::finish() {
    Sha256Digest digest;
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context(state_), digest.bytes.data(), &length) != 1) std::abort();
    return digest;
}
#else
Sha256::Sha256() { crypto_hash_sha256_init(reinterpret_cast<crypto_hash_sha256_state*>(state_)); }
Sha256::~Sha256() = default;
void Sha256::update(Bytes data) {
    crypto_hash_sha256_update(reinterpret_cast<crypto_hash_sha256_state*>(state_), data.data(), data.size());
}
Sha256Digest Sha256::finish() {
    Sha256Digest digest;
    crypto_hash_sha256_final(reinterpret_cast<crypto_hash_sha256_state*>(state_), digest.bytes.data());
    return digest;
}
#endif

Hmac::Hmac(Hash hash, Bytes key) : hash_(hash) {
    if (hash_ == Hash::Sha256)
        crypto_auth_hmacsha256_init(reinterpret_cast<crypto_auth_hmacsha256_state*>(state_), key.data(), key.size());
    else
        crypto_auth_hmacsha512_init(reinterpret_cast<crypto_auth_hmacsha512_state*>(state_), key.data(), key.size());
}
Hmac::~Hmac() { sodium_memzero(state_, sizeof state_); }
void Hmac::update(Bytes data) {
    if (hash_ == Hash::Sha256)
        crypto_auth_hmacsha256_update(reinterpret_cast<crypto_auth_hmacsha256_state*>(state_), data.data(), data.size());
    else
        crypto_auth_hmacsha512_update(reinterpret_cast<crypto_auth_hmacsha512_state*>(state_), data.data(), data.size());
}
void Hmac::finish(uint8_t* out) {
    if (hash_ == Hash::Sha256) crypto_auth_hmacsha256_final(reinterpret_cast<crypto_auth_hmacsha256_state*>(state_), out);
    else crypto_auth_hmacsha512_final(reinterpret_cast<crypto_auth_hmacsha512_state*>(state_), out);
}

void random_bytes(std::span<uint8_t> out) { randombytes_buf(out.data(), out.size()); }

bool constant_time_equal(Bytes a, Bytes b) {
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void secure_wipe(void* data, size_t size) { sodium_memzero(data, size); }

std::string to_hex(Bytes data) {
    std::string text(data.size() * 2 + 1, '\0');
    sodium_bin2hex(text.data(), text.size(), data.data(), data.size());
    text.pop_back();
    return text;
}

bool from_hex(std::string_view hex, std::span<uint8_t> out) {
    if (hex.size() != out.size() * 2) return false;
    size_t written = 0;
    const char* end = nullptr;
    return sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &written, &end) == 0 &&
           written == out.size() && end == hex.data() + hex.size();
}

}  // namespace identity
