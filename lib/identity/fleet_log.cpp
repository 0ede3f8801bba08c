// Fleet log rules (docs/identity.md). Each check names the sequence number at fault.
#include "identity/fleet_log.h"

#include <algorithm>
#include <cstring>

namespace identity {
namespace {

constexpr size_t kMaxLogStatements = 10'000'000;

std::unexpected<FleetError> error(FleetError::Kind kind, uint64_t sequence, std::string message) {
    return std::unexpected(FleetError{kind, sequence, "statement " + std::to_string(sequence) + ": " + std::move(message)});
}

std::unexpected<FleetError> refusal(FleetError::Kind kind, uint64_t sequence, std::string message) {
    return std::unexpected(FleetError{kind, sequence, std::move(message)});
}

void put32(std::vector<uint8_t>& out, uint32_t v) {
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put64(std::vector<uint8_t>& out, uint64_t v) {
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint64_t get64(const uint8_t* at) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | at[i];
    return v;
}

}  // namespace

FleetLog FleetLog::create(const SigningKey& person, uint64_t time) {
    Statement genesis;
    genesis.kind = StatementKind::Genesis;
    genesis.time = time;
    genesis.key = person.public_key();
    sign_statement(genesis, person);
    FleetLog log;
    log.person_ = person.public_key();
    (void)log.append(genesis);  // cannot fail: a genesis signed just now by the log's own Person
    return log;
}

FleetExpected<FleetLog> FleetLog::verify(const std::vector<Statement>& statements, const PublicKey& person) {
    FleetLog log;
    log.person_ = person;
    if (statements.empty()) return refusal(FleetError::Kind::Malformed, 0, "the log is empty");
    for (const Statement& statement : statements) VECTRA_TRY(log.append(statement));
    return log;
}

FleetExpected<FleetLog> FleetLog::restore(const std::vector<Statement>& statements, const AcceptedHead& accepted) {
    FleetLog log;
    log.person_ = accepted.person;
    if (statements.size() < accepted.length || statements.empty())
        return refusal(FleetError::Kind::Rollback, statements.size(),
                       "the log has " + std::to_string(statements.size()) + " statements but this machine already accepted " +
                           std::to_string(accepted.length) + " (a rollback)");
    for (uint64_t i = 0; i < statements.size(); ++i) {  // bound: the statements given
        VECTRA_TRY(log.append_checked(statements[i], /*check_signature=*/i >= accepted.length));
        if (i + 1 == accepted.length && log.head_hash_ != accepted.last_hash)
            return error(FleetError::Kind::Fork, i, "differs from the statement this machine accepted (a fork, or a damaged log)");
    }
    return log;
}

FleetExpected<> FleetLog::append(const Statement& s) { return append_checked(s, true); }

FleetExpected<> FleetLog::append_checked(const Statement& s, bool check_signature) {
    using Kind = FleetError::Kind;
    const uint64_t expected = length();
    // Does it come next, right after the head?
    if (s.sequence > expected)
        return error(Kind::SequenceGap, s.sequence, "sequence " + std::to_string(s.sequence) + " where " +
                                                        std::to_string(expected) + " was expected (a gap)");
    if (s.sequence < expected)
        return error(Kind::SequenceDuplicate, s.sequence,
                     "sequence " + std::to_string(s.sequence) + " again where " + std::to_string(expected) +
                         " was expected (a duplicate or a reordered log)");
    const Sha256Digest expected_previous = expected == 0 ? Sha256Digest{} : head_hash_;
    if (s.previous != expected_previous)
        return error(Kind::BrokenChain, s.sequence, "its previous-hash does not match the statement before it");
    if (expected == 0 && s.kind != StatementKind::Genesis)
        return error(Kind::NotGenesis, s.sequence, "a log must begin with a genesis statement");
    if (expected != 0 && s.kind == StatementKind::Genesis)
        return error(Kind::NotGenesis, s.sequence, "a genesis statement may only come first");
    if (s.kind == StatementKind::Genesis && s.key != person_)
        return error(Kind::WrongPerson, s.sequence, "the genesis names a different Person");
    // The text rules the decoder applies: an in-memory statement the decoder would refuse must
    // never reach the log, or the saved file could never be loaded again.
    if (auto text = check_statement_text(s.kind, s.text); !text) return error(Kind::Malformed, s.sequence, text.error());
    // One encoding serves both the signature check and the new head hash.
    const std::vector<uint8_t> encoded = s.encode();
    if (check_signature) {
        thread_local std::vector<uint8_t> message;
        message.assign(kStatementSigningDomain, kStatementSigningDomain + sizeof kStatementSigningDomain);
        message.insert(message.end(), encoded.begin(), encoded.end() - kSignatureSize);
        if (!identity::verify(person_, message, s.signature))
            return error(Kind::BadSignature, s.sequence, "the signature is not the Person's (forged or altered)");
    }
    if (expected != 0 && s.time < last_time_)
        return error(Kind::TimeWentBackwards, s.sequence, "signed earlier than the statement before it");

    // Is it consistent with the machines so far?
    const auto machine = machines_.find(s.key);
    if (s.kind == StatementKind::MachineCertificate) {
        if (machine != machines_.end())
            return error(machine->second.revoked ? Kind::AlreadyRevoked : Kind::DuplicateMachine, s.sequence,
                         machine->second.revoked ? "certifies a machine key that was revoked" : "certifies a machine key twice");
        if (active_names_.count(s.text))
            return error(Kind::DuplicateMachine, s.sequence, "the name '" + s.text + "' belongs to an enrolled machine");
        if (s.key == person_) return error(Kind::DuplicateMachine, s.sequence, "the Person's key cannot be a machine key");
        // A cryptographic check like the signature's: done when the statement was accepted.
        if (check_signature && !usable_public_key(s.key))
            return error(Kind::Malformed, s.sequence, "certifies a key that is not a usable Ed25519 public key (small order or not on the curve)");
    } else if (s.kind == StatementKind::Revocation) {
        if (machine == machines_.end()) return error(Kind::UnknownMachine, s.sequence, "revokes a key that was never enrolled");
        if (machine->second.revoked) return error(Kind::AlreadyRevoked, s.sequence, "revokes a machine that is already revoked");
    } else if (s.kind == StatementKind::TimestampGrant) {
        if (machine == machines_.end()) return error(Kind::UnknownMachine, s.sequence, "grants the timestamp role to a key that was never enrolled");
        if (machine->second.revoked) return error(Kind::AlreadyRevoked, s.sequence, "grants the timestamp role to a revoked machine");
        if (machine->second.may_sign_timestamps) return error(Kind::DuplicateMachine, s.sequence, "grants the timestamp role twice");
    }

    // Apply: nothing above changed anything.
    if (s.kind == StatementKind::MachineCertificate) {
        FleetMachine m;
        m.key = s.key;
        m.name = s.text;
        m.enrolled_sequence = s.sequence;
        m.enrolled_time = s.time;
        machines_.emplace(s.key, m);
        active_names_.emplace(s.text, s.key);
    } else if (s.kind == StatementKind::Revocation) {
        FleetMachine& m = machine->second;
        m.revoked = true;
        m.revoked_sequence = s.sequence;
        m.revocation_reason = s.text;
        active_names_.erase(m.name);
        if (m.may_sign_timestamps) --timestamp_signers_;
    } else if (s.kind == StatementKind::TimestampGrant) {
        machine->second.may_sign_timestamps = true;
        machine->second.timestamp_grant_sequence = s.sequence;
        machine->second.timestamp_grant_time = s.time;
        ++timestamp_signers_;
    }
    statements_.push_back(s);
    head_hash_ = sha256(encoded);
    hashes_.push_back(head_hash_);
    last_time_ = s.time;
    return {};
}

FleetExpected<> FleetLog::append_new(StatementKind kind, const PublicKey& machine, const std::string& text,
                                               uint64_t time, const SigningKey& person) {
    // Checked before anything is signed: a refused text is never signed at all.
    if (auto checked = check_statement_text(kind, text); !checked)
        return error(FleetError::Kind::Malformed, length(), checked.error());
    Statement s;
    s.kind = kind;
    s.sequence = length();
    s.previous = head_hash_;
    s.time = std::max(time, length() == 0 ? 0 : last_time_);
    s.key = machine;
    s.text = text;
    sign_statement(s, person);
    return append(s);
}

FleetExpected<> FleetLog::merge(const FleetLog& other) {
    if (other.person_ != person_) return refusal(FleetError::Kind::WrongPerson, 0, "the other log belongs to another Person");
    if (first_ != 0 || hashes_first_ != 0 || other.first_ != 0 || other.hashes_first_ != 0)
        return refusal(FleetError::Kind::Malformed, 0, "internal error: merging needs two whole logs");
    const uint64_t common = std::min(length(), other.length());
    for (uint64_t i = 0; i < common; ++i) {
        if (hashes_[i] != other.hashes_[i])
            return error(FleetError::Kind::Fork, i, "the two logs hold different statements with this sequence (a fork)");
    }
    for (uint64_t i = length(); i < other.length(); ++i) VECTRA_TRY(append(other.statements_[i]));
    return {};
}

FleetExpected<> FleetLog::check_against(const AcceptedHead& accepted) const {
    if (accepted.person != person_) return refusal(FleetError::Kind::WrongPerson, 0, "this machine follows another Person's fleet");
    if (accepted.length == 0) return {};
    if (accepted.length <= length() && !holds_hash(accepted.length - 1))
        return refusal(FleetError::Kind::Malformed, accepted.length - 1, "internal error: the check needs the whole log");
    if (length() < accepted.length)
        return refusal(FleetError::Kind::Rollback, length(),
                       "the log has " + std::to_string(length()) + " statements but this machine already accepted " +
                           std::to_string(accepted.length) + " (a rollback)");
    if (hash_at(accepted.length - 1) != accepted.last_hash)
        return error(FleetError::Kind::Fork, accepted.length - 1, "differs from the statement this machine accepted (a fork)");
    return {};
}

FleetExpected<FleetLog> FleetLog::resume(VerifiedState state) {
    FleetLog log;
    log.person_ = state.person;
    log.first_ = state.length;
    log.hashes_first_ = state.window_first;
    log.hashes_ = std::move(state.window_hashes);
    log.head_hash_ = state.head_hash;
    log.last_time_ = state.last_time;
    // Is it consistent? A window that ends at the head, holding the head's own hash.
    if (state.length == 0 || log.hashes_.empty() || state.window_first + log.hashes_.size() != state.length ||
        log.hashes_.back() != state.head_hash)
        return refusal(FleetError::Kind::Malformed, state.length, "the saved state's window does not end at its head");
    log.machines_.reserve(state.machines.size());
    log.active_names_.reserve(state.machines.size());
    for (FleetMachine& machine : state.machines) {
        const uint64_t sequence = machine.enrolled_sequence;
        if (!machine.revoked && !log.active_names_.emplace(machine.name, machine.key).second)
            return refusal(FleetError::Kind::DuplicateMachine, sequence, "the saved state lists a name twice");
        if (!machine.revoked && machine.may_sign_timestamps) ++log.timestamp_signers_;
        const PublicKey key = machine.key;
        if (!log.machines_.emplace(key, std::move(machine)).second)
            return refusal(FleetError::Kind::DuplicateMachine, sequence, "the saved state lists a machine twice");
    }
    return log;
}

VerifiedState FleetLog::verified_state(uint64_t segment) const {
    VerifiedState state;
    state.person = person_;
    state.length = length();
    state.head_hash = head_hash_;
    state.last_time = last_time_;
    state.window_first = std::max(hashes_first_, std::min(length() / segment * segment, length() - 1));
    state.window_hashes.assign(hashes_.begin() + static_cast<std::ptrdiff_t>(state.window_first - hashes_first_), hashes_.end());
    state.machines = machines();
    return state;
}

bool FleetLog::machine_may_sign(const PublicKey& machine) const {
    const FleetMachine* m = find_machine(machine);
    return m != nullptr && !m->revoked;
}

bool FleetLog::machine_may_sign_timestamps(const PublicKey& machine) const {
    const FleetMachine* m = find_machine(machine);
    return m != nullptr && !m->revoked && m->may_sign_timestamps;
}

const FleetMachine* FleetLog::find_machine(const PublicKey& machine) const {
    const auto it = machines_.find(machine);
    return it == machines_.end() ? nullptr : &it->second;
}

const FleetMachine* FleetLog::find_machine_by_name(const std::string& name) const {
    const auto it = active_names_.find(name);
    return it == active_names_.end() ? nullptr : find_machine(it->second);
}

std::vector<FleetMachine> FleetLog::machines() const {
    // Sorted as pointers, copied once: the table can hold as many machines as the log has statements.
    std::vector<const FleetMachine*> order;
    order.reserve(machines_.size());
    for (const auto& [key, machine] : machines_) order.push_back(&machine);
    std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) { return a->enrolled_sequence < b->enrolled_sequence; });
    std::vector<FleetMachine> result;
    result.reserve(order.size());
    for (const FleetMachine* machine : order) result.push_back(*machine);
    return result;
}

std::vector<uint8_t> encode_log(const std::vector<Statement>& statements) {
    std::vector<uint8_t> out = {'V', 'X', 'F', 'L', 1, 0, 0, 0};
    for (const Statement& s : statements) {
        const auto bytes = s.encode();
        put32(out, static_cast<uint32_t>(bytes.size()));
        out.insert(out.end(), bytes.begin(), bytes.end());
    }
    return out;
}

std::expected<std::vector<Statement>, LogDamage> parse_log(Bytes bytes) {
    if (bytes.size() < 8 || std::memcmp(bytes.data(), "VXFL", 4) != 0) return std::unexpected(LogDamage{"not a fleet log (bad magic)", 0});
    if (bytes[4] != 1 || bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0)
        return std::unexpected(LogDamage{"unsupported fleet log version", 0});
    std::vector<Statement> statements;
    size_t at = 8;
    while (at < bytes.size()) {  // invariant: the records before `at` parsed
        const auto damaged = [&](std::string message) { return std::unexpected(LogDamage{std::move(message), at}); };
        if (statements.size() >= kMaxLogStatements) return damaged("more statements than a log may hold");
        if (bytes.size() - at < 4) return damaged("truncated record length at byte " + std::to_string(at));
        const uint32_t length = uint32_t(bytes[at]) << 24 | uint32_t(bytes[at + 1]) << 16 | uint32_t(bytes[at + 2]) << 8 | bytes[at + 3];
        if (length > kMaxStatementSize || length > bytes.size() - at - 4)
            return damaged("record at byte " + std::to_string(at) + " runs past the end of the file or is too long");
        auto decoded = decode_statement(bytes.subspan(at + 4, length));
        if (!decoded) return damaged("record " + std::to_string(statements.size()) + ": " + decoded.error());
        statements.push_back(std::move(*decoded));
        at += 4 + length;
    }
    return statements;
}

std::vector<uint8_t> encode_head(const AcceptedHead& head) {
    std::vector<uint8_t> out = {'V', 'X', 'F', 'H', 1, 0, 0, 0};
    out.insert(out.end(), head.person.bytes.begin(), head.person.bytes.end());
    put64(out, head.length);
    out.insert(out.end(), head.last_hash.bytes.begin(), head.last_hash.bytes.end());
    return out;
}

files::Expected<AcceptedHead> parse_head(Bytes bytes) {
    if (bytes.size() != 8 + 32 + 8 + 32 || std::memcmp(bytes.data(), "VXFH\1\0\0\0", 8) != 0)
        return files::failure("not an accepted head (wrong size or magic)");
    AcceptedHead head;
    std::memcpy(head.person.bytes.data(), bytes.data() + 8, 32);
    head.length = get64(bytes.data() + 40);
    std::memcpy(head.last_hash.bytes.data(), bytes.data() + 48, 32);
    return head;
}

}  // namespace identity
