// Key derivation built on the crypto interface's HMAC: HKDF (RFC 5869) and PBKDF2 (RFC 8018)
// over HMAC-SHA-256 or HMAC-SHA-512. Checked against the RFC 5869 vectors and, through
// BIP39's seed function, the BIP39 vectors.
#pragma once

#include <span>

#include "identity/crypto.h"

namespace identity {

// HKDF-Extract then HKDF-Expand; `out` may be at most 255 hash lengths.
bool hkdf(Hmac::Hash hash, Bytes salt, Bytes input_key, Bytes info, std::span<uint8_t> out);

void pbkdf2_hmac(Hmac::Hash hash, Bytes password, Bytes salt, uint32_t iterations, std::span<uint8_t> out);

}  // namespace identity
