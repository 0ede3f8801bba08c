// This machine's own Ed25519 key, made on the machine and never sent anywhere. Key file:
// "VXMK" | version u8 = 1 | three zero bytes | seed [32] | public key [32]; mode 0600.
// The file's bytes are a secret: they are built and parsed only in SecretBuffers. Reading and
// writing the file is the caller's (lib/files): this header is format only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "identity/crypto.h"

namespace identity {

inline constexpr size_t kMachineKeyFileSize = 8 + kSeedSize + kPublicKeySize;

struct MachineKeyFile {
    std::optional<SigningKey> key;
    std::string error;
};

SecretBuffer encode_machine_key(Bytes seed32, const PublicKey& public_key);
// Strict: exact size, magic, version, and the public key must be the seed's.
MachineKeyFile parse_machine_key(Bytes bytes);

// Forwarders to files::write_file_atomically and files::read_file (lib/files), kept only until
// lib/packages calls lib/files directly; new code uses lib/files.
bool write_file_atomically(const std::string& path, Bytes data, unsigned mode, std::string& error, bool durable = true);
bool read_file(const std::string& path, std::vector<uint8_t>& data, std::string& error, size_t limit = 64 << 20);

}  // namespace identity
