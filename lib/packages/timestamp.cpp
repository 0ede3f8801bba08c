// See timestamp.h. Decoding is strict (one encoding per statement); checking states each rule
// as a question and says what a refusal means for the receiver.
#include "packages/timestamp.h"

#include <algorithm>
#include <cstring>

namespace packages {
namespace {

constexpr char kDomain[] = "VectraOS timestamp v1";

void put32(std::vector<uint8_t>& out, uint32_t v) { for (int i = 3; i >= 0; --i) out.push_back(uint8_t(v >> (8 * i))); }
void put64(std::vector<uint8_t>& out, uint64_t v) { for (int i = 7; i >= 0; --i) out.push_back(uint8_t(v >> (8 * i))); }

struct Reader {
    Bytes bytes;
    size_t at = 0;
    const uint8_t* take(size_t n) {
        if (bytes.size() - at < n) return nullptr;
        at += n;
        return bytes.data() + at - n;
    }
    bool u32(uint32_t& v) { const uint8_t* p = take(4); if (!p) return false; v = 0; for (int i = 0; i < 4; ++i) v = v << 8 | p[i]; return true; }
    bool u64(uint64_t& v) { const uint8_t* p = take(8); if (!p) return false; v = 0; for (int i = 0; i < 8; ++i) v = v << 8 | p[i]; return true; }
    template <size_t N>
    bool fixed(std::array<uint8_t, N>& out) { const uint8_t* p = take(N); if (!p) return false; std::memcpy(out.data(), p, N); return true; }
};

std::vector<uint8_t> message_for(const Timestamp& timestamp) {
    std::vector<uint8_t> message(kDomain, kDomain + sizeof kDomain);
    const auto part = timestamp.signed_part();
    message.insert(message.end(), part.begin(), part.end());
    return message;
}

}  // namespace

std::vector<uint8_t> Timestamp::signed_part() const {
    std::vector<uint8_t> out = {'V', 'X', 'T', 'S', 1, 0, 0, 0};
    put64(out, fleet_length);
    out.insert(out.end(), fleet_head.bytes.begin(), fleet_head.bytes.end());
    put64(out, issued);
    put64(out, expires);
    put32(out, static_cast<uint32_t>(packages.size()));
    for (const TimestampEntry& entry : packages) {
        out.push_back(static_cast<uint8_t>(entry.name.size()));
        out.insert(out.end(), entry.name.begin(), entry.name.end());
        for (uint32_t part : entry.version.parts) put32(out, part);
        out.insert(out.end(), entry.manifest.bytes.begin(), entry.manifest.bytes.end());
    }
    out.insert(out.end(), signer.bytes.begin(), signer.bytes.end());
    return out;
}

std::vector<uint8_t> Timestamp::encode() const {
    auto out = signed_part();
    out.insert(out.end(), signature.bytes.begin(), signature.bytes.end());
    return out;
}

const TimestampEntry* Timestamp::find(std::string_view name) const {
    const auto it = std::lower_bound(packages.begin(), packages.end(), name,
                                     [](const TimestampEntry& entry, std::string_view n) { return entry.name < n; });
    return it != packages.end() && it->name == name ? &*it : nullptr;
}

void sign_timestamp(Timestamp& timestamp, const identity::SigningKey& machine) {
    timestamp.signer = machine.public_key();
    timestamp.signature = machine.sign(message_for(timestamp));
}

files::Expected<Timestamp> decode_timestamp(Bytes bytes) {
    auto fail = [](std::string message) { return files::failure("timestamp: " + std::move(message)); };
    if (bytes.size() > kMaxTimestampSize) return fail("larger than any timestamp may be");
    Reader in{bytes};
    const uint8_t* header = in.take(8);
    if (header == nullptr || std::memcmp(header, "VXTS\1\0\0\0", 8) != 0) return fail("bad magic or version");
    Timestamp t;
    uint32_t count = 0;
    if (!in.u64(t.fleet_length) || !in.fixed(t.fleet_head.bytes) || !in.u64(t.issued) || !in.u64(t.expires) || !in.u32(count))
        return fail("truncated");
    if (t.expires <= t.issued) return fail("expires before it is issued");
    if (count > kMaxTimestampPackages) return fail("lists more than " + std::to_string(kMaxTimestampPackages) + " packages");
    for (uint32_t i = 0; i < count; ++i) {
        TimestampEntry entry;
        const uint8_t* length = in.take(1);
        const uint8_t* name = length ? in.take(*length) : nullptr;
        if (name == nullptr) return fail("truncated package name");
        entry.name.assign(reinterpret_cast<const char*>(name), *length);
        if (!identity::valid_machine_name(entry.name)) return fail("invalid package name " + quoted_for_error(entry.name));
        for (uint32_t& part : entry.version.parts)
            if (!in.u32(part)) return fail("truncated version");
        if (!in.fixed(entry.manifest.bytes)) return fail("truncated manifest hash");
        if (!t.packages.empty() && !(t.packages.back().name < entry.name)) return fail("packages are not sorted or repeat");
        t.packages.push_back(std::move(entry));
    }
    if (!in.fixed(t.signer.bytes) || !in.fixed(t.signature.bytes)) return fail("truncated signature");
    if (in.at != bytes.size()) return fail("trailing bytes");
    if (!identity::verify(t.signer, message_for(t), t.signature)) return fail("the signature does not match its signer (forged or altered)");
    return t;
}

bool fleet_requires_timestamps(const identity::FleetLog& fleet) { return fleet.timestamp_signers() > 0; }

files::Expected<> check_timestamp(const Timestamp& timestamp, const identity::FleetLog& fleet, const std::optional<Timestamp>& last,
                                  uint64_t now) {
    // Did a machine the Person allowed sign it?
    if (!fleet.machine_may_sign_timestamps(timestamp.signer)) {
        const auto* machine = fleet.find_machine(timestamp.signer);
        return files::failure(machine == nullptr ? "timestamp signed by a key that is not a machine of this fleet"
                              : machine->revoked ? "timestamp signed by machine '" + machine->name + "', which is revoked"
                                                 : "timestamp signed by machine '" + machine->name +
                                                       "', which the Person has not allowed to sign timestamps");
    }
    // Is it still fresh? An expired one is what a mirror withholding newer releases serves.
    if (timestamp.expires <= now)
        return files::failure("the newest timestamp expired " + std::to_string(now - timestamp.expires) +
                              " s ago: this source may be withholding newer releases or fleet statements (a freeze)");
    if (timestamp.expires - timestamp.issued > kMaxTimestampLifetime)
        return files::failure("timestamp valid for more than 30 days: no signer may promise that much");
    // Is it older than one accepted before? Then it is a replay.
    if (last && timestamp.issued < last->issued)
        return files::failure("timestamp issued at " + std::to_string(timestamp.issued) + ", older than the one accepted before (" +
                              std::to_string(last->issued) + "): a replayed statement");
    // Is its fleet head one we hold? Longer: the source withheld statements; different: a fork.
    if (timestamp.fleet_length > fleet.length())
        return files::failure("the timestamp names fleet log statement " + std::to_string(timestamp.fleet_length) + ", but only " +
                              std::to_string(fleet.length()) + " reached this machine: the source withholds fleet statements");
    if (timestamp.fleet_length == 0 || !fleet.holds_hash(timestamp.fleet_length - 1) ||
        fleet.hash_at(timestamp.fleet_length - 1) != timestamp.fleet_head)
        return files::failure("the timestamp's fleet log head is not in this machine's log (another fleet, or a fork)");
    return {};
}

}  // namespace packages
