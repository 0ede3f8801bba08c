// The Person: 32 bytes of entropy (shown as 24 words) and the Ed25519 key derived from them
// by derivation v1 (docs/identity.md):
//     seed = HKDF-SHA512(salt = "VectraOS person v1", ikm = entropy, info = "ed25519 signing key", L = 32)
//     key  = Ed25519 key pair from seed
// The fingerprint is the first 8 bytes of SHA-256("VectraOS person fingerprint v1" || public
// key), as four groups of four hex digits.
#pragma once

#include <string>

#include "identity/crypto.h"

namespace identity {

// Derives the Person's signing key; the intermediate seed lives in a SecretBuffer and is
// wiped before returning.
SigningKey derive_person_key(Bytes entropy32);

std::string fingerprint(const PublicKey& key);

}  // namespace identity
