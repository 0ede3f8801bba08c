// fleet.state: a machine's verified state at its accepted head (see VerifiedState), saved
// beside fleet.head so that a sync need not read and re-check the whole log. It is a cache:
// keyed by the head it describes, checksummed, and refused (then rebuilt from the log) when
// it does not match the head or the log file. Format (big-endian):
//     "VXFC" | version u8 = 1 | three zero bytes | person [32] | length u64 | head hash [32] |
//     last time u64 | log bytes u64 | last record bytes u32 | window first u64 | window count u32 | hashes [32] each |
//     machine count u32 | per machine: key [32] | enrolled sequence u64 | enrolled time u64 |
//     flags u8 (1 revoked, 2 may sign timestamps) | revoked sequence u64 | grant sequence u64 |
//     grant time u64 | name length u8 | name | reason length u8 | reason |
//     SHA-256 of everything before [32]
#pragma once

#include <cstdint>
#include <vector>

#include "files/expected.h"
#include "identity/fleet_log.h"

namespace identity {

struct SavedState {
    VerifiedState state;
    uint64_t log_bytes = 0;          // the size of fleet.log holding exactly the state's statements
    uint32_t last_record_bytes = 0;  // of those, the head statement's record (length and encoding)
};

std::vector<uint8_t> encode_saved_state(const SavedState& saved);
// Strict: the checksum, every length, and the text rules of names and reasons.
[[nodiscard]] files::Expected<SavedState> parse_saved_state(Bytes bytes);

}  // namespace identity
