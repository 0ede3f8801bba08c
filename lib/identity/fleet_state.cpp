// fleet.state, encoded and parsed (fleet_state.h). Format only: the file is the caller's.
#include "identity/fleet_state.h"

#include <cstring>

namespace identity {
namespace {

constexpr uint8_t kMagic[8] = {'V', 'X', 'F', 'C', 1, 0, 0, 0};
constexpr uint32_t kMaxWindow = 1u << 16;
constexpr uint32_t kMaxMachines = 10'000'000;  // a log holds at most that many statements

void put(std::vector<uint8_t>& out, uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
template <class Array>
void put_bytes(std::vector<uint8_t>& out, const Array& bytes) {
    out.insert(out.end(), bytes.begin(), bytes.end());
}
void put_text(std::vector<uint8_t>& out, const std::string& text) {
    out.push_back(static_cast<uint8_t>(text.size()));
    out.insert(out.end(), text.begin(), text.end());
}

struct Reader {
    Bytes in;
    size_t at = 0;
    bool take(size_t n, const uint8_t*& p) {
        if (in.size() - at < n) return false;
        p = in.data() + at;
        at += n;
        return true;
    }
    bool number(uint64_t& v, int bytes) {
        const uint8_t* p;
        if (!take(static_cast<size_t>(bytes), p)) return false;
        v = 0;
        for (int i = 0; i < bytes; ++i) v = v << 8 | p[i];
        return true;
    }
    template <class Array>
    bool fixed(Array& out) {
        const uint8_t* p;
        if (!take(out.size(), p)) return false;
        std::memcpy(out.data(), p, out.size());
        return true;
    }
    bool text(std::string& out) {
        const uint8_t* p;
        if (!take(1, p)) return false;
        const size_t length = *p;
        if (!take(length, p)) return false;
        out.assign(reinterpret_cast<const char*>(p), length);
        return true;
    }
};

}  // namespace

std::vector<uint8_t> encode_saved_state(const SavedState& saved) {
    const VerifiedState& s = saved.state;
    std::vector<uint8_t> out(kMagic, kMagic + 8);
    put_bytes(out, s.person.bytes);
    put(out, s.length, 8);
    put_bytes(out, s.head_hash.bytes);
    put(out, s.last_time, 8);
    put(out, saved.log_bytes, 8);
    put(out, saved.last_record_bytes, 4);
    put(out, s.window_first, 8);
    put(out, s.window_hashes.size(), 4);
    for (const auto& hash : s.window_hashes) put_bytes(out, hash.bytes);
    put(out, s.machines.size(), 4);
    for (const FleetMachine& m : s.machines) {
        put_bytes(out, m.key.bytes);
        put(out, m.enrolled_sequence, 8);
        put(out, m.enrolled_time, 8);
        out.push_back(static_cast<uint8_t>((m.revoked ? 1 : 0) | (m.may_sign_timestamps ? 2 : 0)));
        put(out, m.revoked_sequence, 8);
        put(out, m.timestamp_grant_sequence, 8);
        put(out, m.timestamp_grant_time, 8);
        put_text(out, m.name);
        put_text(out, m.revocation_reason);
    }
    put_bytes(out, sha256(out).bytes);
    return out;
}

files::Expected<SavedState> parse_saved_state(Bytes bytes) {
    if (bytes.size() < 8 + 32 || std::memcmp(bytes.data(), kMagic, 8) != 0) return files::failure("not a fleet state (bad magic or version)");
    const Bytes body = bytes.first(bytes.size() - 32);
    if (std::memcmp(sha256(body).bytes.data(), bytes.data() + body.size(), 32) != 0)
        return files::failure("its checksum does not match (damaged)");
    SavedState saved;
    VerifiedState& s = saved.state;
    Reader in{body, 8};
    uint64_t window = 0, machines = 0, last_record = 0;
    if (!in.fixed(s.person.bytes) || !in.number(s.length, 8) || !in.fixed(s.head_hash.bytes) || !in.number(s.last_time, 8) ||
        !in.number(saved.log_bytes, 8) || !in.number(last_record, 4) || last_record > 4 + kMaxStatementSize ||
        !in.number(s.window_first, 8) || !in.number(window, 4) || window > kMaxWindow)
        return files::failure("truncated or oversized header");
    s.window_hashes.resize(window);
    for (auto& hash : s.window_hashes)  // bound: window, checked above
        if (!in.fixed(hash.bytes)) return files::failure("truncated window");
    if (!in.number(machines, 4) || machines > kMaxMachines || machines > body.size() / 32) return files::failure("truncated machine count");
    s.machines.resize(machines);
    for (FleetMachine& m : s.machines) {  // bound: machines, at most one per 32 bytes of the file
        uint64_t flags = 0;
        if (!in.fixed(m.key.bytes) || !in.number(m.enrolled_sequence, 8) || !in.number(m.enrolled_time, 8) || !in.number(flags, 1) ||
            !in.number(m.revoked_sequence, 8) || !in.number(m.timestamp_grant_sequence, 8) || !in.number(m.timestamp_grant_time, 8) ||
            !in.text(m.name) || !in.text(m.revocation_reason) || flags > 3)
            return files::failure("truncated or malformed machine entry");
        m.revoked = flags & 1;
        m.may_sign_timestamps = flags & 2;
        if (!check_statement_text(StatementKind::MachineCertificate, m.name) || !check_statement_text(StatementKind::Revocation, m.revocation_reason))
            return files::failure("a machine entry breaks the statement text rules");
    }
    if (in.at != body.size()) return files::failure("trailing bytes");
    saved.last_record_bytes = static_cast<uint32_t>(last_record);
    return saved;
}

}  // namespace identity
