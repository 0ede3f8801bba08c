// Reading the fleet log from a mirror: see fleet_mirror.h for the layout and what is trusted.
#include "identity/fleet_mirror.h"

#include <algorithm>
#include <optional>

#include "identity/person.h"

namespace identity {
namespace {

using Refusal = std::unexpected<FleetError>;

Refusal refuse(FleetError::Kind kind, uint64_t sequence, std::string message) {
    return std::unexpected(FleetError{kind, sequence, std::move(message)});
}

// Whether the Person really signed `s`: what makes a different statement a fork rather than
// a forgery (which says nothing about the fleet, only about the mirror).
bool signed_by(const Statement& s, const PublicKey& person) { return verify(person, signing_message(s), s.signature); }

Refusal fork_or_forgery(const Statement& theirs, const PublicKey& person, const std::string& where) {
    if (signed_by(theirs, person))
        return refuse(FleetError::Kind::Fork, theirs.sequence,
                      "statement " + std::to_string(theirs.sequence) + " at " + where +
                          " is signed by the Person but differs from this machine's (a fork)");
    return refuse(FleetError::Kind::BadSignature, theirs.sequence,
                  "statement " + std::to_string(theirs.sequence) + " at " + where + " is not signed by the Person (forged)");
}

struct Reader {
    const Fetch& fetch;
    const std::string& where;
    SyncOutcome& outcome;

    std::string at(const std::string& path) const { return where + "/" + path; }

    std::expected<std::vector<Statement>, FleetError> segment(uint64_t index) {
        const std::string path = segment_path(index);
        auto bytes = fetch(path, kMaxSegmentSize);
        ++outcome.requests;
        if (!bytes)
            return refuse(FleetError::Kind::Malformed, index * kSegmentStatements,
                          (bytes.error().missing ? at(path) + " is missing, though the mirror's head needs it (truncated mirror)"
                                                 : bytes.error().message));
        outcome.bytes += bytes->size();
        auto parsed = parse_log(*bytes);
        if (!parsed) return refuse(FleetError::Kind::Malformed, index * kSegmentStatements, at(path) + ": " + parsed.error().message);
        if (parsed->size() > kSegmentStatements)
            return refuse(FleetError::Kind::Malformed, index * kSegmentStatements, at(path) + " holds more than 256 statements");
        for (size_t i = 0; i < parsed->size(); ++i) {
            const uint64_t expected = index * kSegmentStatements + i;
            if ((*parsed)[i].sequence != expected)
                return refuse(FleetError::Kind::Malformed, expected,
                              at(path) + ": record " + std::to_string(i) + " has sequence " +
                                  std::to_string((*parsed)[i].sequence) + " where " + std::to_string(expected) +
                                  " belongs (misplaced or reordered)");
        }
        return std::move(*parsed);
    }
};

// Reads the head; nullopt when the mirror carries no fleet log.
std::expected<std::optional<AcceptedHead>, FleetError> read_head(const Fetch& fetch, const std::string& where, SyncOutcome& outcome) {
    auto bytes = fetch(kMirrorHeadPath, kMirrorHeadSize);
    ++outcome.requests;
    if (!bytes) {
        if (bytes.error().missing) return std::optional<AcceptedHead>();
        return refuse(FleetError::Kind::Malformed, 0, bytes.error().message);
    }
    outcome.bytes += bytes->size();
    const auto head = parse_head(*bytes);
    if (!head) return refuse(FleetError::Kind::Malformed, 0, where + "/" + kMirrorHeadPath + " is not a fleet head (damaged or forged)");
    if (head->length == 0 || head->length > kMaxMirrorLog)
        return refuse(FleetError::Kind::Malformed, 0,
                      where + "/" + kMirrorHeadPath + " claims " + std::to_string(head->length) + " statements (at most " +
                          std::to_string(kMaxMirrorLog) + ")");
    outcome.mirror_length = head->length;
    return std::optional<AcceptedHead>(*head);
}

// `log` holds at least the mirror's statements' prefix up to its own length; takes the rest.
std::expected<void, FleetError> extend(FleetLog& log, const AcceptedHead& head, Reader& reader) {
    const uint64_t have = log.length();
    for (uint64_t index = have / kSegmentStatements; index <= (head.length - 1) / kSegmentStatements; ++index) {
        auto statements = reader.segment(index);
        if (!statements) return std::unexpected(statements.error());
        const uint64_t first = index * kSegmentStatements;
        const uint64_t needed = std::min<uint64_t>(kSegmentStatements, head.length - first);
        if (statements->size() < needed)
            return refuse(FleetError::Kind::Malformed, first + statements->size(),
                          reader.at(segment_path(index)) + " holds " + std::to_string(statements->size()) +
                              " statements where the mirror's head needs " + std::to_string(needed) + " (truncated)");
        for (uint64_t i = 0; i < needed; ++i) {  // bound: one segment
            const Statement& s = (*statements)[i];
            const std::string where = reader.at(segment_path(index));
            if (s.sequence < log.length()) {  // one this machine holds already: it must be the same
                if (!log.holds_hash(s.sequence))  // a resumed log: the caller loads the whole log and asks again
                    return refuse(FleetError::Kind::Malformed, s.sequence,
                                  "this machine's log was resumed without statement " + std::to_string(s.sequence) + " (load it whole)");
                if (s.hash() != log.hash_at(s.sequence)) return fork_or_forgery(s, log.person(), where);
                continue;
            }
            if (auto appended = log.append(s); !appended) {
                FleetError& failure = appended.error();
                // A signed statement that does not follow our head: the mirror's log and ours diverged earlier.
                if (failure.kind == FleetError::Kind::BrokenChain && signed_by(s, log.person()))
                    return refuse(FleetError::Kind::Fork, s.sequence,
                                  "statement " + std::to_string(s.sequence) + " at " + where +
                                      " is signed by the Person but follows a different statement " +
                                      std::to_string(s.sequence - 1) + " than this machine's (a fork)");
                failure.message = where + ": " + failure.message;
                return std::unexpected(std::move(failure));
            }
            ++reader.outcome.new_statements;
        }
    }
    if (log.head_hash() != head.last_hash)
        return refuse(FleetError::Kind::Malformed, head.length - 1,
                      reader.at(kMirrorHeadPath) + " names a different last statement than the mirror's segments hold (a forged or torn head)");
    return {};
}

}  // namespace

std::string segment_path(uint64_t segment) { return "fleet/segments/" + std::to_string(segment); }

bool is_fleet_mirror_path(std::string_view path) {
    if (path == kMirrorHeadPath) return true;
    constexpr std::string_view prefix = "fleet/segments/";
    if (!path.starts_with(prefix)) return false;
    const std::string_view number = path.substr(prefix.size());
    if (number.empty() || number.size() > 19 || (number.size() > 1 && number[0] == '0')) return false;
    return std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::pair<std::string, std::vector<uint8_t>>> mirror_files(const FleetLog& log, uint64_t published) {
    std::vector<std::pair<std::string, std::vector<uint8_t>>> files;
    const auto& statements = log.statements();
    for (uint64_t index = std::min(published, log.length() - 1) / kSegmentStatements; index * kSegmentStatements < log.length(); ++index) {
        const auto first = statements.begin() + static_cast<std::ptrdiff_t>(index * kSegmentStatements);
        const auto last = statements.begin() + static_cast<std::ptrdiff_t>(std::min(log.length(), (index + 1) * kSegmentStatements));
        files.emplace_back(segment_path(index), encode_log(std::vector<Statement>(first, last)));
    }
    files.emplace_back(kMirrorHeadPath, encode_head(log.head()));  // last: it promises what is above
    return files;
}

std::expected<SyncOutcome, FleetError> sync_from_mirror(FleetLog& log, const Fetch& fetch, const std::string& where) {
    SyncOutcome outcome;
    auto read = read_head(fetch, where, outcome);
    if (!read) return std::unexpected(read.error());
    if (!*read) {
        outcome.state = SyncOutcome::State::NoFleetLog;
        return outcome;
    }
    const AcceptedHead& head = **read;
    if (head.person != log.person())
        return refuse(FleetError::Kind::WrongPerson, 0,
                      where + " carries the fleet of another Person (" + fingerprint(head.person) + "; this machine follows " +
                          fingerprint(log.person()) + ")");
    Reader reader{fetch, where, outcome};
    if (head.length <= log.length()) {
        if (!log.holds_hash(head.length - 1))  // a resumed log: the caller loads the whole log and asks again
            return refuse(FleetError::Kind::Malformed, head.length - 1,
                          "this machine's log was resumed without statement " + std::to_string(head.length - 1) + " (load it whole)");
        if (log.hash_at(head.length - 1) == head.last_hash) {
            outcome.state = head.length == log.length() ? SyncOutcome::State::UpToDate : SyncOutcome::State::MirrorBehind;
            return outcome;
        }
        // The mirror claims another statement at a position we hold: a fork if the Person signed it.
        const uint64_t last = head.length - 1;
        auto statements = reader.segment(last / kSegmentStatements);
        if (!statements) return std::unexpected(statements.error());
        const size_t offset = last % kSegmentStatements;
        if (offset >= statements->size() || (*statements)[offset].hash() != head.last_hash)
            return refuse(FleetError::Kind::Malformed, last,
                          reader.at(kMirrorHeadPath) + " names a statement its segments do not hold (a forged or torn head)");
        return fork_or_forgery((*statements)[offset], log.person(), reader.at(segment_path(last / kSegmentStatements)));
    }
    if (auto extended = extend(log, head, reader); !extended) return std::unexpected(extended.error());
    outcome.state = SyncOutcome::State::Extended;
    return outcome;
}

std::expected<FleetLog, FleetError> fetch_log(const Fetch& fetch, const PublicKey* person, const std::string& where, SyncOutcome* out) {
    SyncOutcome outcome;
    auto read = read_head(fetch, where, outcome);
    if (!read) return std::unexpected(read.error());
    if (!*read) return refuse(FleetError::Kind::Malformed, 0, where + " carries no fleet log (no " + kMirrorHeadPath + ")");
    const AcceptedHead& head = **read;
    const PublicKey trusted = person ? *person : head.person;
    if (head.person != trusted)
        return refuse(FleetError::Kind::WrongPerson, 0, where + " carries the fleet of another Person (" + fingerprint(head.person) + ")");
    // The genesis alone starts the log (verified against the Person); the rest is a sync.
    Reader reader{fetch, where, outcome};
    auto first = reader.segment(0);
    if (!first) return std::unexpected(first.error());
    if (first->empty()) return refuse(FleetError::Kind::Malformed, 0, reader.at(segment_path(0)) + " holds no statements");
    const auto in_segment_0 = [&](FleetError failure) {
        failure.message = reader.at(segment_path(0)) + ": " + failure.message;
        return std::unexpected(std::move(failure));
    };
    auto started = FleetLog::verify({first->front()}, trusted);
    if (!started) return in_segment_0(std::move(started.error()));
    FleetLog log = std::move(*started);
    // Feed the rest of segment 0 without fetching it twice, then the following segments.
    for (size_t i = 1; i < first->size() && i < head.length; ++i) {
        if (auto appended = log.append((*first)[i]); !appended) return in_segment_0(std::move(appended.error()));
    }
    if (log.length() < head.length || log.head_hash() != head.last_hash) {
        if (log.length() >= head.length)
            return refuse(FleetError::Kind::Malformed, head.length - 1,
                          reader.at(kMirrorHeadPath) + " names a different last statement than the mirror's segments hold (a forged or torn head)");
        if (log.length() % kSegmentStatements != 0)
            return refuse(FleetError::Kind::Malformed, log.length(),
                          reader.at(segment_path(0)) + " holds " + std::to_string(log.length()) +
                              " statements where the mirror's head needs " + std::to_string(head.length) + " (truncated)");
        if (auto extended = extend(log, head, reader); !extended) return std::unexpected(extended.error());
    }
    outcome.new_statements = log.length();
    if (out) *out = outcome;
    return log;
}

}  // namespace identity
