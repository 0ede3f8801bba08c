// Release encoding v1 (big-endian):
//   "VXPR" | version u8 = 1 | 3 zero bytes | name length u8 | name | major u32 | minor u32 |
//   patch u32 | manifest [32] | time u64 | signer [32] | signature [64]
// The signature covers "VectraOS package release v1" || 0x00 || everything before it.
#include "packages/release.h"

#include <charconv>
#include <cstring>

namespace packages {
namespace {

constexpr char kDomain[] = "VectraOS package release v1";

void put32(std::vector<uint8_t>& out, uint32_t v) { for (int i = 3; i >= 0; --i) out.push_back(uint8_t(v >> (8 * i))); }
void put64(std::vector<uint8_t>& out, uint64_t v) { for (int i = 7; i >= 0; --i) out.push_back(uint8_t(v >> (8 * i))); }
uint32_t get32(const uint8_t* p) { uint32_t v = 0; for (int i = 0; i < 4; ++i) v = v << 8 | p[i]; return v; }
uint64_t get64(const uint8_t* p) { uint64_t v = 0; for (int i = 0; i < 8; ++i) v = v << 8 | p[i]; return v; }

std::vector<uint8_t> message_for(const Release& release) {
    std::vector<uint8_t> message(kDomain, kDomain + sizeof kDomain);
    const auto part = release.signed_part();
    message.insert(message.end(), part.begin(), part.end());
    return message;
}

}  // namespace

std::string Version::text() const {
    return std::to_string(parts[0]) + "." + std::to_string(parts[1]) + "." + std::to_string(parts[2]);
}

files::Expected<Version> Version::parse(std::string_view text) {
    const auto refuse = [&] { return files::failure("'" + std::string(text.substr(0, 64)) + "' is not a version (MAJOR.MINOR.PATCH)"); };
    Version version;
    size_t start = 0;
    for (int i = 0; i < 3; ++i) {
        const size_t end = i < 2 ? text.find('.', start) : text.size();
        if (end == std::string_view::npos || end == start || end - start > 9) return refuse();
        const auto [pointer, error] = std::from_chars(text.data() + start, text.data() + end, version.parts[i]);
        if (error != std::errc() || pointer != text.data() + end) return refuse();
        start = end + 1;
    }
    return version;
}

std::vector<uint8_t> Release::signed_part() const {
    std::vector<uint8_t> out = {'V', 'X', 'P', 'R', 1, 0, 0, 0, static_cast<uint8_t>(name.size())};
    out.insert(out.end(), name.begin(), name.end());
    for (uint32_t part : version.parts) put32(out, part);
    out.insert(out.end(), manifest.bytes.begin(), manifest.bytes.end());
    put64(out, time);
    out.insert(out.end(), signer.bytes.begin(), signer.bytes.end());
    return out;
}

std::vector<uint8_t> Release::encode() const {
    auto out = signed_part();
    out.insert(out.end(), signature.bytes.begin(), signature.bytes.end());
    return out;
}

void sign_release(Release& release, const identity::SigningKey& machine) {
    release.signer = machine.public_key();
    release.signature = machine.sign(message_for(release));
}

files::Expected<Release> decode_release(Bytes bytes) {
    if (bytes.size() < 9 || std::memcmp(bytes.data(), "VXPR\1\0\0\0", 8) != 0) return files::failure("release: bad magic or version");
    const size_t name_length = bytes[8];
    if (bytes.size() != 9 + name_length + 12 + 32 + 8 + 32 + 64) return files::failure("release: wrong length (truncated or trailing bytes)");
    Release r;
    r.name.assign(reinterpret_cast<const char*>(bytes.data() + 9), name_length);
    if (!identity::valid_machine_name(r.name)) return files::failure("release: invalid package name");  // the rule of machine names
    const uint8_t* p = bytes.data() + 9 + name_length;
    for (int i = 0; i < 3; ++i) r.version.parts[i] = get32(p + 4 * i);
    p += 12;
    std::memcpy(r.manifest.bytes.data(), p, 32);
    r.time = get64(p + 32);
    std::memcpy(r.signer.bytes.data(), p + 40, 32);
    std::memcpy(r.signature.bytes.data(), p + 72, 64);
    if (!identity::verify(r.signer, message_for(r), r.signature))
        return files::failure("release: the signature does not match its signer (forged or altered)");
    return r;
}

files::Expected<> signer_is_trusted(const Release& release, const identity::FleetLog* fleet,
                                    const std::vector<identity::PublicKey>& trusted_keys) {
    // Is the signer a machine of this fleet? Then the fleet decides, even for a key that is
    // also in trusted-keys: a revocation must not be undone by an old line in that file.
    const identity::FleetMachine* machine = fleet != nullptr ? fleet->find_machine(release.signer) : nullptr;
    if (machine != nullptr) {
        if (!machine->revoked) return {};
        return files::failure("release signed by machine '" + machine->name + "', which is revoked");
    }
    for (const auto& key : trusted_keys)
        if (key == release.signer) return {};
    return files::failure(fleet != nullptr ? "release signed by a key that is neither a fleet machine nor trusted"
                                           : "release signed by an unknown key (no fleet log and not trusted)");
}

}  // namespace packages
