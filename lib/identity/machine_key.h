// This machine's own Ed25519 key, made on the machine and never sent anywhere. Key file:
// "VXMK" | version u8 = 1 | three zero bytes | seed [32] | public key [32]; mode 0600.
// The file's bytes are a secret: they are built and parsed only in SecretBuffers. Reading and
// writing the file is the caller's (lib/files): this header is format only.
#pragma once

#include "files/expected.h"
#include "identity/crypto.h"

namespace identity {

inline constexpr size_t kMachineKeyFileSize = 8 + kSeedSize + kPublicKeySize;

SecretBuffer encode_machine_key(Bytes seed32, const PublicKey& public_key);
// Strict: exact size, magic, version, and the public key must be the seed's.
[[nodiscard]] files::Expected<SigningKey> parse_machine_key(Bytes bytes);

}  // namespace identity
