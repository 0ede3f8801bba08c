// Manifest encoding v1 (big-endian):
//   "VXPM" | version u8 = 1 | 3 zero bytes | file count u32
//   per file: path length u16 | path | mode u32 | size u64 | content [32] | chunk hashes [32] × n
//             (n = ceil(size / 1 MiB), implied by the size)
//   dependency count u32 | manifest hashes [32] × count
// Files sorted by path (bytewise), dependencies by hash; no duplicates; no trailing bytes.
#include "packages/manifest.h"

#include <cstring>

namespace packages {
namespace {

void put16(std::vector<uint8_t>& out, uint16_t v) { out.push_back(uint8_t(v >> 8)); out.push_back(uint8_t(v)); }
void put32(std::vector<uint8_t>& out, uint32_t v) { for (int i = 3; i >= 0; --i) out.push_back(uint8_t(v >> (8 * i))); }
void put64(std::vector<uint8_t>& out, uint64_t v) { for (int i = 7; i >= 0; --i) out.push_back(uint8_t(v >> (8 * i))); }
void put_digest(std::vector<uint8_t>& out, const Sha256Digest& d) { out.insert(out.end(), d.bytes.begin(), d.bytes.end()); }

// A bounds-checked reader: every read says whether the bytes were there.
struct Reader {
    Bytes bytes;
    size_t at = 0;
    bool take(size_t n, const uint8_t*& out) {
        if (bytes.size() - at < n) return false;
        out = bytes.data() + at;
        at += n;
        return true;
    }
    bool u16(uint16_t& v) { const uint8_t* p; if (!take(2, p)) return false; v = uint16_t(p[0] << 8 | p[1]); return true; }
    bool u32(uint32_t& v) { const uint8_t* p; if (!take(4, p)) return false; v = 0; for (int i = 0; i < 4; ++i) v = v << 8 | p[i]; return true; }
    bool u64(uint64_t& v) { const uint8_t* p; if (!take(8, p)) return false; v = 0; for (int i = 0; i < 8; ++i) v = v << 8 | p[i]; return true; }
    bool digest(Sha256Digest& d) { const uint8_t* p; if (!take(32, p)) return false; std::memcpy(d.bytes.data(), p, 32); return true; }
};

}  // namespace

bool valid_package_path(std::string_view path) {
    if (path.empty() || path.size() > kMaxPath || path.front() == '/') return false;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const std::string_view part = path.substr(start, end - start);
        if (part.empty() || part == "." || part == "..") return false;
        start = end + 1;
    }
    for (char c : path)
        if (c == '\0' || c == '\\') return false;
    return true;
}

uint64_t chunk_count(uint64_t size) { return (size + kChunkSize - 1) / kChunkSize; }
uint64_t chunk_length(uint64_t size, uint64_t index) {
    const uint64_t start = index * kChunkSize;
    return start >= size ? 0 : std::min(kChunkSize, size - start);
}

std::vector<uint8_t> Manifest::encode() const {
    std::vector<uint8_t> out = {'V', 'X', 'P', 'M', 1, 0, 0, 0};
    put32(out, static_cast<uint32_t>(files.size()));
    for (const FileEntry& f : files) {
        put16(out, static_cast<uint16_t>(f.path.size()));
        out.insert(out.end(), f.path.begin(), f.path.end());
        put32(out, f.mode);
        put64(out, f.size);
        put_digest(out, f.content);
        for (const auto& chunk : f.chunks) put_digest(out, chunk);
    }
    put32(out, static_cast<uint32_t>(dependencies.size()));
    for (const auto& d : dependencies) put_digest(out, d);
    return out;
}

Sha256Digest Manifest::hash() const { return identity::sha256(encode()); }

ManifestParse decode_manifest(Bytes bytes) {
    ManifestParse result;
    auto fail = [&](std::string message) {
        result.error = "manifest: " + std::move(message);
        return result;
    };
    if (bytes.size() > kMaxManifestSize) return fail("larger than any manifest may be");
    Reader in{bytes};
    const uint8_t* header;
    if (!in.take(8, header) || std::memcmp(header, "VXPM\1\0\0\0", 8) != 0) return fail("bad magic or version");
    uint32_t file_count;
    if (!in.u32(file_count)) return fail("truncated file count");
    if (file_count > kMaxFiles) return fail("too many files");
    Manifest manifest;
    for (uint32_t i = 0; i < file_count; ++i) {
        FileEntry f;
        uint16_t path_length;
        const uint8_t* path;
        if (!in.u16(path_length) || !in.take(path_length, path)) return fail("file " + std::to_string(i) + ": truncated path");
        f.path.assign(reinterpret_cast<const char*>(path), path_length);
        if (!valid_package_path(f.path))
            return fail("file " + std::to_string(i) + ": path '" + f.path + "' is absolute, empty or climbs out with '..'");
        if (!manifest.files.empty() && !(manifest.files.back().path < f.path))
            return fail("file '" + f.path + "': paths are not sorted or repeat");
        if (!in.u32(f.mode) || !in.u64(f.size) || !in.digest(f.content)) return fail("file '" + f.path + "': truncated");
        if (f.mode != 0644 && f.mode != 0755) return fail("file '" + f.path + "': mode must be 0644 or 0755");
        const uint64_t chunks = chunk_count(f.size);
        if (chunks > (bytes.size() - in.at) / 32) return fail("file '" + f.path + "': more chunks than the manifest holds");
        f.chunks.resize(chunks);
        for (auto& chunk : f.chunks)
            if (!in.digest(chunk)) return fail("file '" + f.path + "': truncated chunk list");
        manifest.files.push_back(std::move(f));
    }
    uint32_t dependency_count;
    if (!in.u32(dependency_count)) return fail("truncated dependency count");
    if (dependency_count > (bytes.size() - in.at) / 32) return fail("more dependencies than the manifest holds");
    for (uint32_t i = 0; i < dependency_count; ++i) {
        Sha256Digest d;
        if (!in.digest(d)) return fail("truncated dependency");
        if (!manifest.dependencies.empty() && !(manifest.dependencies.back() < d)) return fail("dependencies are not sorted or repeat");
        manifest.dependencies.push_back(d);
    }
    if (in.at != bytes.size()) return fail("trailing bytes after the manifest");
    result.manifest = std::move(manifest);
    return result;
}

std::string hex(const Sha256Digest& digest) { return identity::to_hex(digest.bytes); }

std::optional<Sha256Digest> digest_from_hex(std::string_view text) {
    Sha256Digest d;
    if (!identity::from_hex(text, d.bytes)) return std::nullopt;
    return d;
}

}  // namespace packages
