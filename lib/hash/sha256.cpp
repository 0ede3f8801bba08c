// SHA-256 as FIPS 180-4 section 6.2 describes it, written for clarity first and speed second:
// the 64 rounds are unrolled by eight so the working variables rotate by renaming instead of
// by moves. Integer registers only, so it builds for the kernel (no SIMD there).
#include "hash/sha256.h"

namespace hash {

namespace {

// FIPS 180-4, 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first
// 64 primes.
constexpr u32 round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

constexpr u32 rotate_right(u32 value, unsigned count) { return (value >> count) | (value << (32 - count)); }

constexpr u32 load_big_endian(const u8* bytes) {
    return (u32(bytes[0]) << 24) | (u32(bytes[1]) << 16) | (u32(bytes[2]) << 8) | u32(bytes[3]);
}

constexpr void store_big_endian(u32 value, u8* bytes) {
    bytes[0] = u8(value >> 24);
    bytes[1] = u8(value >> 16);
    bytes[2] = u8(value >> 8);
    bytes[3] = u8(value);
}

// The functions of FIPS 180-4, 4.1.2.
constexpr u32 choose(u32 x, u32 y, u32 z) { return (x & y) ^ (~x & z); }
constexpr u32 majority(u32 x, u32 y, u32 z) { return (x & y) ^ (x & z) ^ (y & z); }
constexpr u32 big_sigma0(u32 x) { return rotate_right(x, 2) ^ rotate_right(x, 13) ^ rotate_right(x, 22); }
constexpr u32 big_sigma1(u32 x) { return rotate_right(x, 6) ^ rotate_right(x, 11) ^ rotate_right(x, 25); }
constexpr u32 small_sigma0(u32 x) { return rotate_right(x, 7) ^ rotate_right(x, 18) ^ (x >> 3); }
constexpr u32 small_sigma1(u32 x) { return rotate_right(x, 17) ^ rotate_right(x, 19) ^ (x >> 10); }

// One round: the caller renames the eight working variables instead of shifting them, so
// only d and h change here (d += T1, h = T1 + T2).
[[gnu::always_inline]] inline void compression_round(u32 a, u32 b, u32 c, u32& d, u32 e, u32 f, u32 g, u32& h, u32 constant_plus_word) {
    const u32 t1 = h + big_sigma1(e) + choose(e, f, g) + constant_plus_word;
    const u32 t2 = big_sigma0(a) + majority(a, b, c);
    d += t1;
    h = t1 + t2;
}

}  // namespace

void Sha256::compress(const u8* blocks, usize count) {
    // Bound: exactly `count` blocks, each read once.
    for (usize block = 0; block < count; ++block, blocks += sha256_block_size) {
        u32 schedule[64];
        for (usize t = 0; t < 16; ++t) schedule[t] = load_big_endian(blocks + 4 * t);
        for (usize t = 16; t < 64; ++t)
            schedule[t] = small_sigma1(schedule[t - 2]) + schedule[t - 7] + small_sigma0(schedule[t - 15]) + schedule[t - 16];

        u32 a = state_[0], b = state_[1], c = state_[2], d = state_[3];
        u32 e = state_[4], f = state_[5], g = state_[6], h = state_[7];
        for (usize t = 0; t < 64; t += 8) {
            compression_round(a, b, c, d, e, f, g, h, round_constants[t + 0] + schedule[t + 0]);
            compression_round(h, a, b, c, d, e, f, g, round_constants[t + 1] + schedule[t + 1]);
            compression_round(g, h, a, b, c, d, e, f, round_constants[t + 2] + schedule[t + 2]);
            compression_round(f, g, h, a, b, c, d, e, round_constants[t + 3] + schedule[t + 3]);
            compression_round(e, f, g, h, a, b, c, d, round_constants[t + 4] + schedule[t + 4]);
            compression_round(d, e, f, g, h, a, b, c, round_constants[t + 5] + schedule[t + 5]);
            compression_round(c, d, e, f, g, h, a, b, round_constants[t + 6] + schedule[t + 6]);
            compression_round(b, c, d, e, f, g, h, a, round_constants[t + 7] + schedule[t + 7]);
        }
        state_[0] += a;
        state_[1] += b;
        state_[2] += c;
        state_[3] += d;
        state_[4] += e;
        state_[5] += f;
        state_[6] += g;
        state_[7] += h;
    }
}

void Sha256::update(base::Span<const u8> data) {
    const u8* next = data.data();
    usize remaining = data.size();
    total_length_ += remaining;

    // Top up a partial block first; it is compressed only once it is whole.
    if (buffered_ > 0) {
        const usize take = base::min(remaining, sha256_block_size - buffered_);
        for (usize i = 0; i < take; ++i) buffer_[buffered_ + i] = next[i];
        buffered_ += take;
        next += take;
        remaining -= take;
        if (buffered_ < sha256_block_size) return;
        compress(buffer_, 1);
        buffered_ = 0;
    }
    // Whole blocks straight from the input, without copying.
    const usize whole = remaining / sha256_block_size;
    compress(next, whole);
    next += whole * sha256_block_size;
    remaining -= whole * sha256_block_size;
    // Keep the tail (fewer than 64 bytes) for the next call.
    for (usize i = 0; i < remaining; ++i) buffer_[i] = next[i];
    buffered_ = remaining;
}

Sha256Digest Sha256::finish() {
    // Padding (FIPS 180-4, 5.1.1): a 1 bit, zeros up to 56 bytes into a block, then the
    // message length in bits as a big-endian 64-bit number.
    const u64 bit_length = total_length_ * 8;
    buffer_[buffered_++] = 0x80;
    if (buffered_ > sha256_block_size - 8) {
        for (usize i = buffered_; i < sha256_block_size; ++i) buffer_[i] = 0;
        compress(buffer_, 1);
        buffered_ = 0;
    }
    for (usize i = buffered_; i < sha256_block_size - 8; ++i) buffer_[i] = 0;
    store_big_endian(u32(bit_length >> 32), buffer_ + 56);
    store_big_endian(u32(bit_length), buffer_ + 60);
    compress(buffer_, 1);

    Sha256Digest digest;
    for (usize i = 0; i < 8; ++i) store_big_endian(state_[i], digest.bytes + 4 * i);
    reset();
    return digest;
}

Sha256Digest Sha256::digest(base::Span<const u8> data) {
    Sha256 hasher;
    hasher.update(data);
    return hasher.finish();
}

void to_hex(const Sha256Digest& digest, char (&out)[sha256_hex_size]) {
    constexpr char digits[] = "0123456789abcdef";
    for (usize i = 0; i < sha256_digest_size; ++i) {
        out[2 * i] = digits[digest.bytes[i] >> 4];
        out[2 * i + 1] = digits[digest.bytes[i] & 0xf];
    }
}

base::Result<Sha256Digest> parse_hex(base::StringView text) {
    if (text.size() != sha256_hex_size)
        return base::make_error(base::ErrorCode::Malformed, "sha256: a digest is exactly 64 hexadecimal characters");
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    Sha256Digest digest{};
    for (usize i = 0; i < sha256_digest_size; ++i) {
        const int high = nibble(text[2 * i]);
        const int low = nibble(text[2 * i + 1]);
        if (high < 0 || low < 0) return base::make_error(base::ErrorCode::Malformed, "sha256: digest has a character that is not hexadecimal");
        digest.bytes[i] = u8((high << 4) | low);
    }
    return digest;
}

}  // namespace hash
