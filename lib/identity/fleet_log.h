// The fleet log: every statement the Person has made about their machines, append-only.
// Verified from scratch back to the Person's public key; after that, one more statement is
// checked against the head alone (constant time). A machine's signature counts only while its
// certificate stands: enrolled and not revoked (docs/identity.md, "Log rules").
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <unordered_map>
#include <expected>
#include <string>
#include <vector>

#include "identity/statement.h"

namespace identity {

struct FleetError {
    enum class Kind {
        Malformed,          // bytes that are not a log or a statement
        WrongPerson,        // the genesis names another Person
        BadSignature,       // forged, or signed by another key
        BrokenChain,        // previous-hash does not match
        SequenceGap,        // a sequence number skipped
        SequenceDuplicate,  // a sequence number repeated, or statements out of order
        Fork,               // two different statements with one sequence number
        Rollback,           // shorter than a head this machine already accepted
        NotGenesis,         // the first statement is not a genesis, or a later one is
        UnknownMachine,     // revoking a key that was never enrolled
        AlreadyRevoked,     // revoking twice, or certifying a revoked key again
        DuplicateMachine,   // a key or name enrolled twice
        TimeWentBackwards,  // a statement older than the one before it
    };
    Kind kind;
    uint64_t sequence;
    std::string message;
};

// The log's own result type: a FleetError says which rule failed at which sequence number.
template <class T = void>
using FleetExpected = std::expected<T, FleetError>;

struct FleetMachine {
    PublicKey key;
    std::string name;
    uint64_t enrolled_sequence = 0;
    uint64_t enrolled_time = 0;
    bool revoked = false;
    uint64_t revoked_sequence = 0;
    std::string revocation_reason;
    bool may_sign_timestamps = false;  // a TimestampGrant names it (counts only while it stands)
    uint64_t timestamp_grant_sequence = 0;  // that grant's statement, when may_sign_timestamps
    uint64_t timestamp_grant_time = 0;
};

// What this machine has accepted before: a log shorter than this, or different at this
// point, is refused.
struct AcceptedHead {
    PublicKey person;
    uint64_t length = 0;  // number of statements
    Sha256Digest last_hash;
};

// What the log's rules need to take statements after a head without the statements before
// it: the head, the machine table, and the hashes of the head's last partial segment (what a
// mirror's overlap is checked against). A machine keeps it beside its log (fleet.state), so
// that a sync costs what is new; it is derived from a verified log and never replaces one.
struct VerifiedState {
    PublicKey person;
    uint64_t length = 0;
    Sha256Digest head_hash;
    uint64_t last_time = 0;
    uint64_t window_first = 0;                // the sequence of window_hashes[0]
    std::vector<Sha256Digest> window_hashes;  // window_first .. length-1
    std::vector<FleetMachine> machines;       // in enrolment order
};

class FleetLog {
public:
    // A new log holding only the genesis statement, signed by `person`.
    static FleetLog create(const SigningKey& person, uint64_t time);
    // Checks every statement back to `person`'s key.
    [[nodiscard]] static FleetExpected<FleetLog> verify(const std::vector<Statement>& statements, const PublicKey& person);

    // This machine's own log, which it verified when it accepted it: every rule is checked
    // again, but the cryptographic ones (the Person's signatures, usable machine keys) only
    // past `accepted` — up to there the hash chain,
    // which must end in the head recorded at acceptance, vouches for every byte. Refuses a
    // log shorter than the head or different at it (a rollback or a fork), or of another Person.
    [[nodiscard]] static FleetExpected<FleetLog> restore(const std::vector<Statement>& statements, const AcceptedHead& accepted);

    // A log that continues from `state` without its statements: only the window's hashes are
    // held (holds_hash), and statements() holds only what is appended after. Refused when
    // the state is inconsistent (a window that does not end at its head).
    [[nodiscard]] static FleetExpected<FleetLog> resume(VerifiedState state);
    // This log's state at its head; its window starts at the head's last segment boundary
    // (a multiple of `segment`), and holds at least the head's own hash.
    VerifiedState verified_state(uint64_t segment) const;

    // Checks `statement` against the head and the machine set, then appends it. O(1).
    [[nodiscard]] FleetExpected<> append(const Statement& statement);
    // Builds, signs and appends a statement of `kind` (certificate or revocation).
    [[nodiscard]] FleetExpected<> append_new(StatementKind kind, const PublicKey& machine, const std::string& text,
                                             uint64_t time, const SigningKey& person);
    // Accepts `other` if it extends this log (same prefix, longer); refuses a fork.
    [[nodiscard]] FleetExpected<> merge(const FleetLog& other);
    // Refuses a log shorter than, or diverging from, what was accepted before.
    [[nodiscard]] FleetExpected<> check_against(const AcceptedHead& accepted) const;

    const PublicKey& person() const { return person_; }
    uint64_t length() const { return first_ + statements_.size(); }
    Sha256Digest head_hash() const { return head_hash_; }
    AcceptedHead head() const { return {person_, length(), head_hash_}; }
    // Every statement; for a resumed log only those appended since (from first_statement() on).
    const std::vector<Statement>& statements() const { return statements_; }
    uint64_t first_statement() const { return first_; }

    bool machine_may_sign(const PublicKey& machine) const;
    // Enrolled, not revoked, and granted the timestamp role by the Person.
    bool machine_may_sign_timestamps(const PublicKey& machine) const;
    // How many machines may sign timestamps now (granted and not revoked). O(1).
    uint64_t timestamp_signers() const { return timestamp_signers_; }
    const FleetMachine* find_machine(const PublicKey& machine) const;
    const FleetMachine* find_machine_by_name(const std::string& name) const;
    std::vector<FleetMachine> machines() const;  // in enrolment order

    // Whether hash_at(index) may be asked: always for a whole log, for a resumed one from its window on.
    bool holds_hash(uint64_t index) const { return index >= hashes_first_ && index < length(); }
    const Sha256Digest& hash_at(uint64_t index) const { return hashes_[index - hashes_first_]; }

private:
    FleetLog() = default;
    [[nodiscard]] FleetExpected<> append_checked(const Statement& statement, bool check_signature);
    PublicKey person_;
    uint64_t first_ = 0;                // the sequence of statements_[0]: 0 unless resumed
    std::vector<Statement> statements_;
    uint64_t hashes_first_ = 0;         // the sequence of hashes_[0]: 0 unless resumed
    std::vector<Sha256Digest> hashes_;  // hashes_[i] = hash of statement hashes_first_ + i
    Sha256Digest head_hash_;
    uint64_t last_time_ = 0;            // the head statement's time
    struct KeyHash {
        size_t operator()(const PublicKey& key) const {  // keys are uniformly random bytes
            size_t value;
            std::memcpy(&value, key.bytes.data(), sizeof value);
            return value;
        }
    };
    std::unordered_map<PublicKey, FleetMachine, KeyHash> machines_;
    std::unordered_map<std::string, PublicKey> active_names_;
    uint64_t timestamp_signers_ = 0;
};

// The log file: "VXFL" | version u8 = 1 | three zero bytes, then per statement a big-endian
// u32 length and the statement's encoding, to the end of the file.
std::vector<uint8_t> encode_log(const std::vector<Statement>& statements);
// Why a log file did not parse, and how much of it did.
struct LogDamage {
    std::string message;
    size_t intact_bytes = 0;  // the bytes before the first bad record
};
[[nodiscard]] std::expected<std::vector<Statement>, LogDamage> parse_log(Bytes bytes);

// The accepted-head file: "VXFH" | version u8 = 1 | three zero bytes | person [32] |
// length u64 | last hash [32].
std::vector<uint8_t> encode_head(const AcceptedHead& head);
[[nodiscard]] files::Expected<AcceptedHead> parse_head(Bytes bytes);

}  // namespace identity
