// Fetching a package from any mirror — an HTTP server, a plain directory, a disk image — into a store.
// Nothing is trusted for where it came from: the release's signature and signer, its version
// against the one already accepted, the manifest's hash, every chunk's hash and length are all
// checked, and only when everything is verified does anything land in the store. Verified
// chunks wait in staging/, so an interrupted fetch resumes where it stopped.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "packages/store.h"

namespace packages {

// Where bytes come from. get() reads `path` (relative to the mirror's root) and fails, with a
// reason, on any error, on a timeout, or when more than `limit` bytes arrive.
class Source {
public:
    virtual ~Source() = default;
    virtual bool get(const std::string& path, size_t limit, std::vector<uint8_t>& data, std::string& error) = 0;
    virtual std::string describe() const = 0;
};

// "http://host:port[/base]", a directory, or a disk image (a tar archive of a mirror directory).
std::unique_ptr<Source> open_source(const std::string& location, int timeout_seconds = 10);

struct FetchPolicy {
    const identity::FleetLog* fleet = nullptr;
    std::vector<identity::PublicKey> trusted_keys;
    // Called with (bytes so far, bytes expected) as chunks arrive.
    std::function<void(uint64_t, uint64_t)> progress;
};

struct FetchResult {
    bool ok = false;
    bool already_current = false;
    std::string error;
    Release release;
    uint64_t bytes_fetched = 0;
    uint64_t chunks_reused = 0;  // already in the store or verified in staging
};

FetchResult fetch_package(Source& source, const std::string& name, Store& store, const FetchPolicy& policy);

}  // namespace packages
