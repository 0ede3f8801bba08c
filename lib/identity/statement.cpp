// Statement encoding v1 (all integers big-endian):
//   "VXFS" | version u8 = 1 | kind u8 | sequence u64 | previous [32] | time u64 | key [32]
//   | text length u8 | text | signature [64]
// Genesis has an empty text; a certificate's text is the machine name; a revocation's the
// reason (printable ASCII, may be empty).
#include "identity/statement.h"

#include <cstring>

namespace identity {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kFixedPart = 4 + 1 + 1 + 8 + 32 + 8 + 32 + 1;

void put64(std::vector<uint8_t>& out, uint64_t value) {
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}
uint64_t get64(const uint8_t* at) {
    uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value = value << 8 | at[i];
    return value;
}

}  // namespace

bool valid_machine_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxMachineName || name[0] == '-') return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
}

files::Expected<> check_statement_text(StatementKind kind, std::string_view text) {
    switch (kind) {
        case StatementKind::Genesis:
            if (!text.empty()) return files::failure("a genesis statement carries no text");
            return {};
        case StatementKind::MachineCertificate:
            if (!valid_machine_name(text))
                return files::failure("a machine name is 1-64 of a-z, 0-9 and '-', not starting with '-'");
            return {};
        case StatementKind::TimestampGrant:
            if (!text.empty()) return files::failure("a timestamp grant carries no text");
            return {};
        case StatementKind::Revocation:
            if (text.size() > kMaxReason)
                return files::failure("a revocation reason is at most " + std::to_string(kMaxReason) + " characters, not " +
                                      std::to_string(text.size()));
            for (size_t i = 0; i < text.size(); ++i) {
                const auto c = static_cast<unsigned char>(text[i]);
                if (c < 0x20 || c > 0x7e)
                    return files::failure("a revocation reason is printable ASCII on one line; character " +
                                          std::to_string(i + 1) + (c == '\n' ? " is a newline" : c >= 0x80 ? " is not ASCII" : " is a control character"));
            }
            return {};
    }
    return files::failure("unknown statement kind");
}

std::vector<uint8_t> Statement::signed_part() const {
    std::vector<uint8_t> out = {'V', 'X', 'F', 'S', kVersion, static_cast<uint8_t>(kind)};
    put64(out, sequence);
    out.insert(out.end(), previous.bytes.begin(), previous.bytes.end());
    put64(out, time);
    out.insert(out.end(), key.bytes.begin(), key.bytes.end());
    out.push_back(static_cast<uint8_t>(text.size()));
    out.insert(out.end(), text.begin(), text.end());
    return out;
}

std::vector<uint8_t> Statement::encode() const {
    std::vector<uint8_t> out = signed_part();
    out.insert(out.end(), signature.bytes.begin(), signature.bytes.end());
    return out;
}

Sha256Digest Statement::hash() const { return sha256(encode()); }

std::vector<uint8_t> signing_message(const Statement& statement) {
    std::vector<uint8_t> message(kStatementSigningDomain, kStatementSigningDomain + sizeof kStatementSigningDomain);
    const auto part = statement.signed_part();
    message.insert(message.end(), part.begin(), part.end());
    return message;
}

void sign_statement(Statement& statement, const SigningKey& person) {
    statement.signature = person.sign(signing_message(statement));
}

files::Expected<Statement> decode_statement(Bytes bytes) {
    if (bytes.size() < kFixedPart + 64) return files::failure("statement too short");
    const uint8_t* at = bytes.data();
    if (std::memcmp(at, "VXFS", 4) != 0) return files::failure("not a fleet statement (bad magic)");
    if (at[4] != kVersion) return files::failure("unsupported statement version " + std::to_string(at[4]));
    Statement s;
    const uint8_t kind = at[5];
    if (kind < 1 || kind > 4) return files::failure("unknown statement kind " + std::to_string(kind));
    s.kind = static_cast<StatementKind>(kind);
    s.sequence = get64(at + 6);
    std::memcpy(s.previous.bytes.data(), at + 14, 32);
    s.time = get64(at + 46);
    std::memcpy(s.key.bytes.data(), at + 54, 32);
    const size_t text_length = at[86];
    if (bytes.size() != kFixedPart + text_length + 64)
        return files::failure("statement length does not match its text length (truncated or trailing bytes)");
    s.text.assign(reinterpret_cast<const char*>(at + kFixedPart), text_length);
    std::memcpy(s.signature.bytes.data(), at + kFixedPart + text_length, 64);
    VECTRA_TRY(check_statement_text(s.kind, s.text));
    if (s.kind == StatementKind::Genesis && s.sequence != 0) return files::failure("a genesis statement must have sequence 0");
    return s;
}

}  // namespace identity
