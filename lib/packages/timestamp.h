// Timestamp statements: the freeze defence (TUF's timestamp role, rooted in the Person). A
// fleet machine that the Person allowed to (a TimestampGrant in the fleet log) signs, on demand
// or on a schedule, a short statement: the fleet log head it holds, the latest release of each
// package in its store, and an expiry. A receiver whose fleet grants the role requires a fresh
// one from every source: a mirror that withholds newer releases or fleet statements can keep
// serving its last timestamp only until it expires (docs/packages.md, "Freeze defence").
//
// Encoding v1 (big-endian): "VXTS" | version u8 = 1 | 3 zero bytes | fleet length u64 |
// fleet head [32] | issued u64 | expires u64 | package count u32 | per package: name length u8 |
// name | major u32 | minor u32 | patch u32 | manifest [32] | signer [32] | signature [64].
// The signature covers "VectraOS timestamp v1" || 0x00 || everything before it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "files/expected.h"
#include "identity/fleet_log.h"
#include "packages/release.h"

namespace packages {

struct TimestampEntry {
    std::string name;
    Version version;
    Sha256Digest manifest;
};

struct Timestamp {
    uint64_t fleet_length = 0;  // statements in the signer's fleet log
    Sha256Digest fleet_head;    // the hash of its last statement
    uint64_t issued = 0;        // Unix seconds
    uint64_t expires = 0;
    std::vector<TimestampEntry> packages;  // sorted by name, unique
    identity::PublicKey signer;
    identity::Signature signature;

    std::vector<uint8_t> signed_part() const;
    std::vector<uint8_t> encode() const;
    const TimestampEntry* find(std::string_view name) const;
};

inline constexpr size_t kMaxTimestampPackages = 10'000;
inline constexpr size_t kMaxTimestampSize = 8 + 8 + 32 + 8 + 8 + 4 + kMaxTimestampPackages * (1 + 64 + 12 + 32) + 32 + 64;
inline constexpr uint64_t kMaxTimestampLifetime = 30 * 24 * 3600;  // a signer may not promise more

void sign_timestamp(Timestamp& timestamp, const identity::SigningKey& machine);
// Strict decoding plus the signature check.
[[nodiscard]] files::Expected<Timestamp> decode_timestamp(Bytes bytes);

// Does a fleet grant the timestamp role to any machine that stands? Then its receivers
// require fresh timestamps.
bool fleet_requires_timestamps(const identity::FleetLog& fleet);

// Is `timestamp` acceptable at `now` to a receiver holding `fleet`, which accepted `last`
// before? Signed by a machine the fleet allows; not expired; not older than `last` (a replay);
// its fleet head is in `fleet` (not a fork, not statements the source withheld).
[[nodiscard]] files::Expected<> check_timestamp(const Timestamp& timestamp, const identity::FleetLog& fleet,
                                  const std::optional<Timestamp>& last, uint64_t now);

}  // namespace packages
