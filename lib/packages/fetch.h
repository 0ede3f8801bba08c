// Fetching a package from any mirror into a store. Nothing is trusted for where it came from:
// the release's signature and signer, its version against the one already accepted, the hash
// of the manifest and of every dependency's manifest, every chunk's hash and length are all
// checked, and only when everything is verified does anything land in the store. Verified
// chunks wait in staging/, so an interrupted fetch resumes where it stopped.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "packages/source.h"
#include "packages/store.h"
#include "packages/timestamp.h"

namespace packages {

inline constexpr size_t kMaxManifestsPerFetch = 10'000;  // a package and all its dependencies

struct FetchProgress {
    uint64_t done = 0;      // bytes of the package accounted for (fetched or reused)
    uint64_t total = 0;     // bytes of the package and its dependencies
    uint64_t fetched = 0;   // of `done`, bytes that came from the source
};

struct FetchPolicy {
    const identity::FleetLog* fleet = nullptr;
    std::vector<identity::PublicKey> trusted_keys;
    // Freeze defence (docs/packages.md): the source's timestamp is required (the caller sets
    // this when the fleet grants the timestamp role), checked at `now` (0: the clock), and the
    // release fetched must be the one it lists.
    bool require_timestamp = false;
    uint64_t now = 0;
    // Called as chunks arrive from the source.
    std::function<void(const FetchProgress&)> progress;
    // Called with what is worth saying though it refuses nothing (a revoked head), as it is found.
    std::function<void(const std::string&)> warning;
};

// What a successful fetch did.
struct Fetched {
    bool already_current = false;
    Release release;
    std::optional<Timestamp> timestamp;  // the source's, when required and accepted
    uint64_t bytes_fetched = 0;  // chunk bytes that came from the mirror
    uint64_t chunks_reused = 0;  // already in the store or verified in staging
    uint64_t chunks_repaired = 0;     // held corrupt here, fetched again
    size_t manifests_repaired = 0;    // of a package already here: missing or corrupt, fetched again
    size_t manifests = 0;        // the package's and its dependencies'
};

// The fetched release, or what was refused and where (the store then is unchanged).
[[nodiscard]] files::Expected<Fetched> fetch_package(Source& source, const std::string& name, Store& store, const FetchPolicy& policy);

}  // namespace packages
