// Package manifests: the files of a package (paths, modes, sizes, whole-file hashes and the
// hashes of their 1 MiB chunks) and its dependencies, in one canonical encoding whose SHA-256
// names the package (docs/packages.md, "Manifest encoding v1").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "files/expected.h"
#include "identity/crypto.h"

namespace packages {

using identity::Bytes;
using identity::Sha256Digest;

inline constexpr uint64_t kChunkSize = 1 << 20;
inline constexpr size_t kMaxPath = 4096;
// Limits that fit real manifests (docs/packages.md, "Limits"): a 16 MiB manifest holds half a
// million chunk hashes, 512 GiB of files. They bound what a mirror can make a receiver download
// and hold before anything is verified.
inline constexpr size_t kMaxFiles = 200'000;
inline constexpr size_t kMaxManifestSize = 16 << 20;
inline constexpr uint64_t kMaxFileSize = uint64_t(1) << 40;  // 1 TiB

struct FileEntry {
    std::string path;  // relative, '/'-separated
    uint32_t mode = 0644;  // permission bits only: within 0777
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

// A path a package may hold: relative, '/'-separated, 1 to kMaxPath bytes of valid UTF-8;
// no empty, "." or ".." component; no control character (newline, tab, NUL…), no backslash.
// Refused with the reason it may not (a phrase: "is empty", "has an empty component …").
[[nodiscard]] files::Expected<> check_package_path(std::string_view path);
bool valid_package_path(std::string_view path);
// `text` for an error message: at most 64 bytes of it, anything unprintable as \xNN, and its
// length when cut (a 4 KB path is not echoed whole).
std::string quoted_for_error(std::string_view text);
// ceil(size / kChunkSize), without overflow for any size.
uint64_t chunk_count(uint64_t size);
// The size of chunk `index` of a file of `size` bytes (0 past the end).
uint64_t chunk_length(uint64_t size, uint64_t index);

// Strict decoding: every rule above, one encoding per manifest; the error says which rule.
[[nodiscard]] files::Expected<Manifest> decode_manifest(Bytes bytes);

std::string hex(const Sha256Digest& digest);
// 64 hex digits.
[[nodiscard]] files::Expected<Sha256Digest> digest_from_hex(std::string_view text);

}  // namespace packages
