// Manifest encoding v1 (big-endian):
//   "VXPM" | version u8 = 1 | 3 zero bytes | file count u32
//   per file: path length u16 | path | mode u32 | size u64 | content [32] | chunk hashes [32] × n
//             (n = ceil(size / 1 MiB), implied by the size)
//   dependency count u32 | manifest hashes [32] × count
// Files sorted by path (bytewise), dependencies by hash; no duplicates; no trailing bytes.
#include "packages/manifest.h"

#include <algorithm>
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

namespace {

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        const auto byte = [&](size_t at) { return static_cast<uint8_t>(text[at]); };
        const uint8_t lead = byte(i);
        size_t length;
        uint32_t minimum, code;
        if (lead < 0x80) { ++i; continue; }
        if ((lead & 0xe0) == 0xc0) { length = 2; minimum = 0x80; code = lead & 0x1f; }
        else if ((lead & 0xf0) == 0xe0) { length = 3; minimum = 0x800; code = lead & 0x0f; }
        else if ((lead & 0xf8) == 0xf0) { length = 4; minimum = 0x10000; code = lead & 0x07; }
        else return false;
        if (text.size() - i < length) return false;
        for (size_t k = 1; k < length; ++k) {
            if ((byte(i + k) & 0xc0) != 0x80) return false;
            code = code << 6 | (byte(i + k) & 0x3f);
        }
        if (code < minimum || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
        i += length;
    }
    return true;
}

}  // namespace

files::Expected<> check_package_path(std::string_view path) {
    if (path.empty()) return files::failure("is empty");
    if (path.size() > kMaxPath) return files::failure("is " + std::to_string(path.size()) + " bytes, longer than " + std::to_string(kMaxPath));
    if (path.front() == '/') return files::failure("is absolute (starts with '/')");
    for (char c : path) {
        const auto byte = static_cast<uint8_t>(c);
        if (byte < 0x20 || byte == 0x7f) return files::failure("contains a control character (a newline, tab or NUL)");
        if (c == '\\') return files::failure("contains a backslash");
    }
    if (!valid_utf8(path)) return files::failure("is not valid UTF-8");
    // Invariant: every component before `start` was checked.
    for (size_t start = 0; start <= path.size();) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const std::string_view part = path.substr(start, end - start);
        if (part.empty()) return files::failure("has an empty component ('//' or a '/' at the end)");
        if (part == "." || part == "..") return files::failure("has a '" + std::string(part) + "' component (climbs out or names nothing)");
        start = end + 1;
    }
    return {};
}

bool valid_package_path(std::string_view path) { return check_package_path(path).has_value(); }

std::string quoted_for_error(std::string_view text) {
    constexpr size_t kShown = 64;
    std::string out = "'";
    for (size_t i = 0; i < text.size() && i < kShown; ++i) {
        const auto byte = static_cast<uint8_t>(text[i]);
        if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
            out += text[i];
        } else {
            static constexpr char kDigits[] = "0123456789abcdef";
            out += "\\x";
            out += kDigits[byte >> 4];
            out += kDigits[byte & 15];
        }
    }
    out += "'";
    if (text.size() > kShown) out += "... (" + std::to_string(text.size()) + " bytes)";
    return out;
}

uint64_t chunk_count(uint64_t size) { return size / kChunkSize + (size % kChunkSize != 0 ? 1 : 0); }

uint64_t chunk_length(uint64_t size, uint64_t index) {
    if (index >= chunk_count(size)) return 0;
    const uint64_t start = index * kChunkSize;  // no overflow: index < ceil(size / kChunkSize)
    return std::min(kChunkSize, size - start);
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

files::Expected<Manifest> decode_manifest(Bytes bytes) {
    auto fail = [](std::string message) { return files::failure("manifest: " + std::move(message)); };
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
        if (const auto allowed = check_package_path(f.path); !allowed)
            return fail("file " + std::to_string(i) + ": path " + quoted_for_error(f.path) + " " + allowed.error());
        const std::string shown = quoted_for_error(f.path);
        if (!manifest.files.empty() && !(manifest.files.back().path < f.path))
            return fail("file " + shown + ": paths are not sorted or repeat");
        // A file cannot also be a directory: refuse "a" beside "a/b". Every prefix sorts
        // before the path, so checking the files already read is enough.
        for (size_t slash = f.path.find('/'); slash != std::string::npos; slash = f.path.find('/', slash + 1)) {
            const std::string_view parent(f.path.data(), slash);
            const auto found = std::lower_bound(manifest.files.begin(), manifest.files.end(), parent,
                                                [](const FileEntry& entry, std::string_view p) { return entry.path < p; });
            if (found != manifest.files.end() && found->path == parent)
                return fail("file " + shown + ": " + quoted_for_error(parent) + " is a file, so it cannot also be a directory");
        }
        if (!in.u32(f.mode) || !in.u64(f.size) || !in.digest(f.content)) return fail("file " + shown + ": truncated");
        if (f.mode > 0777) return fail("file " + shown + ": mode " + std::to_string(f.mode) + " has bits beyond the permissions (0777)");
        if (f.size > kMaxFileSize) return fail("file " + shown + ": " + std::to_string(f.size) + " bytes, more than a file may hold (1 TiB)");
        const uint64_t chunks = chunk_count(f.size);
        if (chunks > (bytes.size() - in.at) / 32) return fail("file " + shown + ": more chunks than the manifest holds");
        f.chunks.resize(chunks);
        for (auto& chunk : f.chunks)
            if (!in.digest(chunk)) return fail("file " + shown + ": truncated chunk list");
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
    return manifest;
}

std::string hex(const Sha256Digest& digest) { return identity::to_hex(digest.bytes); }

files::Expected<Sha256Digest> digest_from_hex(std::string_view text) {
    Sha256Digest d;
    if (!identity::from_hex(text, d.bytes)) return files::failure("not a hash (64 hex digits)");
    return d;
}

}  // namespace packages
