// The fleet log on a mirror, and syncing from one (docs/identity.md, "The fleet log on a
// mirror"). A mirror holds, beside blobs/ and releases/:
//     fleet/head          the log's head: the accepted-head encoding (person, length, last hash)
//     fleet/segments/N    statements N*256 … min(N*256+255, length-1), as a log file
// Full segments never change; only the last one grows. So a machine that holds n statements
// reads the head, then only the segments from n/256 on: at most 255 statements it already has,
// plus what is new. Nothing on the mirror is trusted: the head is only a claim, every new
// statement is checked against the log's rules and the Person's signature, and the overlap
// against this machine's own hashes. A refusal names what was wrong and where; the mirror is
// reached only through a Fetch, so the same code serves HTTP, directories, disk images and tests.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "files/expected.h"
#include "identity/fleet_log.h"

namespace identity {

inline constexpr uint64_t kSegmentStatements = 256;
inline constexpr char kMirrorHeadPath[] = "fleet/head";
inline constexpr size_t kMirrorHeadSize = 8 + 32 + 8 + 32;
inline constexpr size_t kMaxSegmentSize = 8 + kSegmentStatements * (4 + kMaxStatementSize);
inline constexpr uint64_t kMaxMirrorLog = 10'000'000;  // statements; a longer claim is refused

std::string segment_path(uint64_t segment);
// Whether `path` is one of the files above (what `mirror serve` may hand out for the fleet).
bool is_fleet_mirror_path(std::string_view path);

// The files a mirror holds for `log` that differ from those of a mirror holding its first
// `published` statements: the segments from published/256 on, then the head (write it last).
std::vector<std::pair<std::string, std::vector<uint8_t>>> mirror_files(const FleetLog& log, uint64_t published = 0);

// Reads `path` from the mirror, at most `limit` bytes. The error names the mirror and path.
// `missing` distinguishes "the mirror has no such file" from a failure to get it.
struct FetchFailure {
    std::string message;
    bool missing = false;
};
using Fetch = std::function<std::expected<std::vector<uint8_t>, FetchFailure>(const std::string& path, size_t limit)>;

struct SyncOutcome {
    enum class State { UpToDate, Extended, MirrorBehind, NoFleetLog } state = State::UpToDate;
    uint64_t mirror_length = 0;
    uint64_t new_statements = 0;
    uint64_t requests = 0;
    uint64_t bytes = 0;
};

// Brings `log` up to the mirror's head. Refusals (the error) cover another Person's fleet, a
// fork (proved by a Person-signed statement that differs from ours), a forged or torn head,
// truncated or reordered segments, and anything the log's rules refuse. A mirror behind this
// machine is not an error (MirrorBehind): its older log is simply not taken. On refusal `log`
// may already hold some of the new statements — each fully verified — but the caller saves
// nothing, so the machine's state is unchanged.
[[nodiscard]] std::expected<SyncOutcome, FleetError> sync_from_mirror(FleetLog& log, const Fetch& fetch, const std::string& where);

// A whole log from a mirror, every statement verified back to `person` (or, when null, to the
// Person its genesis names, which the caller must have confirmed by its fingerprint).
[[nodiscard]] std::expected<FleetLog, FleetError> fetch_log(const Fetch& fetch, const PublicKey* person, const std::string& where,
                                    SyncOutcome* outcome = nullptr);

}  // namespace identity
