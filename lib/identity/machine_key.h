// This machine's own Ed25519 key, made on the machine and never sent anywhere. Key file:
// "VXMK" | version u8 = 1 | three zero bytes | seed [32] | public key [32]; mode 0600,
// written atomically (temporary file, fsync, rename).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "identity/crypto.h"

namespace identity {

struct MachineKeyFile {
    std::optional<SigningKey> key;
    std::string error;
};

std::vector<uint8_t> encode_machine_key(Bytes seed32, const PublicKey& public_key);
// Strict: exact size, magic, version, and the public key must be the seed's.
MachineKeyFile parse_machine_key(Bytes bytes);

// Atomic file write with the given mode; false (and errno-based message) on failure. With
// `durable`, the data reaches the disk (fsync) before the rename makes it visible; without,
// the caller syncs later (a batch of staged files, one syncfs) or re-checks after a crash.
bool write_file_atomically(const std::string& path, Bytes data, unsigned mode, std::string& error, bool durable = true);
bool read_file(const std::string& path, std::vector<uint8_t>& data, std::string& error, size_t limit = 64 << 20);

}  // namespace identity
