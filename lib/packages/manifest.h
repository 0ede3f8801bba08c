// Package manifests: the files of a package (paths, modes, sizes, whole-file hashes and the
// hashes of their 1 MiB chunks) and its dependencies, in one canonical encoding whose SHA-256
// names the package (docs/packages.md, "Manifest encoding v1").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "identity/crypto.h"

namespace packages {

using identity::Bytes;
using identity::Sha256Digest;

inline constexpr uint64_t kChunkSize = 1 << 20;
inline constexpr size_t kMaxPath = 4096;
inline constexpr size_t kMaxFiles = 1'000'000;
inline constexpr size_t kMaxManifestSize = 256 << 20;

struct FileEntry {
    std::string path;  // relative, '/'-separated
    uint32_t mode = 0644;  // 0644 or 0755
    uint64_t size = 0;
    Sha256Digest content;  // SHA-256 of the whole file
    std::vector<Sha256Digest> chunks;  // ceil(size / kChunkSize) chunk hashes
};

struct Manifest {
    std::vector<FileEntry> files;  // sorted by path, unique
    std::vector<Sha256Digest> dependencies;  // manifest hashes, sorted, unique

    std::vector<uint8_t> encode() const;
    Sha256Digest hash() const;
};

// A path a package may hold: no empty, "." or ".." component, not absolute, no NUL or
// backslash, at most kMaxPath bytes.
bool valid_package_path(std::string_view path);
uint64_t chunk_count(uint64_t size);
// The size of chunk `index` of a file of `size` bytes.
uint64_t chunk_length(uint64_t size, uint64_t index);

struct ManifestParse {
    std::optional<Manifest> manifest;
    std::string error;
};
ManifestParse decode_manifest(Bytes bytes);

std::string hex(const Sha256Digest& digest);
std::optional<Sha256Digest> digest_from_hex(std::string_view text);

}  // namespace packages
