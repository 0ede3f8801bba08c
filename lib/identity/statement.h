// Fleet statements: the Person-signed entries of the fleet log, in one canonical binary
// encoding (docs/identity.md, "Statement encoding v1"). decode() accepts exactly the bytes
// encode() produces — one byte string per statement — and nothing else.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "files/expected.h"
#include "identity/crypto.h"

namespace identity {

// TimestampGrant: the Person allows an enrolled machine to sign timestamp statements (the
// freeze defence of docs/packages.md); it lapses when the machine is revoked.
enum class StatementKind : uint8_t { Genesis = 1, MachineCertificate = 2, Revocation = 3, TimestampGrant = 4 };

struct Statement {
    StatementKind kind = StatementKind::Genesis;
    uint64_t sequence = 0;
    Sha256Digest previous;  // SHA-256 of the previous statement's full encoding; zeros first
    uint64_t time = 0;      // Unix seconds when the Person signed it
    PublicKey key;          // Genesis: the Person; certificate, revocation, grant: the machine
    std::string text;       // certificate: the machine's name; revocation: the reason
    Signature signature;

    // Everything but the signature: what the signature covers (after the domain prefix).
    std::vector<uint8_t> signed_part() const;
    std::vector<uint8_t> encode() const;
    Sha256Digest hash() const;  // over encode()
};

inline constexpr size_t kMaxMachineName = 64;
inline constexpr size_t kMaxReason = 200;
inline constexpr size_t kMaxStatementSize = 4 + 2 + 8 + 32 + 8 + 32 + 1 + kMaxReason + 64;

// Machine names: 1-64 of [a-z0-9-], starting with a letter or digit.
bool valid_machine_name(std::string_view name);

// The one place the text rules live, used before signing (a statement the decoder would
// refuse is never made) and by the decoder (nothing else is accepted): genesis — empty;
// certificate — a valid machine name; revocation — 0-200 printable ASCII characters (no
// newline, nothing outside 0x20-0x7e). The error says which rule was broken.
[[nodiscard]] files::Expected<> check_statement_text(StatementKind kind, std::string_view text);

// The message the Person signs: this domain (its NUL included), then signed_part().
inline constexpr char kStatementSigningDomain[] = "VectraOS fleet statement v1";
std::vector<uint8_t> signing_message(const Statement& statement);
void sign_statement(Statement& statement, const SigningKey& person);

// The statement, or why it was refused.
[[nodiscard]] files::Expected<Statement> decode_statement(Bytes bytes);

}  // namespace identity
