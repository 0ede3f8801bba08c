// SHA-256 (FIPS 180-4), our own freestanding implementation: the kernel and the first programs
// check boot bundle contents with it, and the host tools use the same code to write them.
// No heap, no libc; the state is a plain object, so it can live on a kernel stack.
#pragma once

#include "base/span.h"
#include "base/string_view.h"
#include "base/result.h"
#include "base/types.h"

namespace hash {

using base::u8;
using base::u32;
using base::u64;
using base::usize;

inline constexpr usize sha256_digest_size = 32;
inline constexpr usize sha256_block_size = 64;
// Characters of a digest written in lowercase hexadecimal (no terminator).
inline constexpr usize sha256_hex_size = 2 * sha256_digest_size;

struct Sha256Digest {
    u8 bytes[sha256_digest_size];
    constexpr bool operator==(const Sha256Digest&) const = default;
};

// Incremental hashing: any split of the input into update() calls gives the same digest as
// one call with all of it. finish() returns the digest and resets the object for reuse.
// Inputs beyond 2^61 - 1 bytes in total (SHA-256's limit of 2^64 bits) are not supported;
// nothing in VectraOS comes near it.
class Sha256 {
public:
    constexpr Sha256() { reset(); }

    constexpr void reset() {
        for (usize i = 0; i < 8; ++i) state_[i] = initial_state[i];
        buffered_ = 0;
        total_length_ = 0;
    }
    void update(base::Span<const u8> data);
    [[nodiscard]] Sha256Digest finish();

    // The digest of `data` in one call.
    [[nodiscard]] static Sha256Digest digest(base::Span<const u8> data);

private:
    // FIPS 180-4, 5.3.3: the first 32 bits of the fractional parts of the square roots of the
    // first eight primes.
    static constexpr u32 initial_state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

    // Compresses `count` whole 64-byte blocks starting at `blocks` into state_.
    void compress(const u8* blocks, usize count);

    u32 state_[8] = {};
    u8 buffer_[sha256_block_size] = {};  // a partial block; only the first buffered_ bytes count
    usize buffered_ = 0;                 // invariant: buffered_ < sha256_block_size between calls
    u64 total_length_ = 0;               // bytes hashed so far
};

// Writes the digest as 64 lowercase hexadecimal characters (no terminator).
void to_hex(const Sha256Digest& digest, char (&out)[sha256_hex_size]);
// Parses exactly 64 hexadecimal characters (either case).
base::Result<Sha256Digest> parse_hex(base::StringView text);

}  // namespace hash
