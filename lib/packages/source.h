// Where a fetch gets bytes: any mirror — an HTTP server, a plain directory, a disk image. A
// source is a courier, never an authority: it only hands over bytes, which the fetch checks.
// Every source bounds what it hands over: no more than the caller's limit, and (over HTTP) no
// longer than a deadline, so a mirror that stalls, trickles or sends endless data is cut off.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "identity/fleet_mirror.h"

namespace packages {

// Why a source could not hand over a file: the message names the mirror and the path;
// `missing` says the mirror has no such file (a directory's ENOENT, HTTP 404, no such member
// of an image), as opposed to one it failed to get or that broke a bound.
using SourceFailure = identity::FetchFailure;

class Source {
public:
    virtual ~Source() = default;
    // Reads `path` (relative to the mirror's root, e.g. "blobs/ab/cd…") into `data`, replacing
    // what it held (its capacity is reused: a fetch recycles one buffer per chunk); fails, with
    // a reason naming the mirror and the path, on any error, on a timeout, or when more than
    // `limit` bytes would arrive.
    [[nodiscard]] virtual std::expected<void, SourceFailure> get_into(const std::string& path, size_t limit, std::vector<uint8_t>& data) = 0;
    // The same, into a new buffer.
    [[nodiscard]] std::expected<std::vector<uint8_t>, SourceFailure> get(const std::string& path, size_t limit) {
        std::vector<uint8_t> data;
        VECTRA_TRY(get_into(path, limit, data));
        return data;
    }
    virtual std::string describe() const = 0;
};

// An HTTP mirror must keep up with this rate once `timeout` seconds have passed (bytes received
// since the request began), and deliver every request within timeout + limit / this rate: a
// mirror trickling one byte per second never trips a read timeout, so this is what stops it.
inline constexpr uint64_t kMinimumMirrorRate = 64 << 10;  // bytes per second

// "http://host[:port][/base]" or "https://…", a directory, or a disk image (a regular file: a
// ustar archive of a mirror directory). Any other "scheme://" is refused with a clear reason
// (by every get()), never taken for a path. `timeout_seconds` bounds connecting and each read.
std::unique_ptr<Source> open_source(const std::string& location, int timeout_seconds = 10);

}  // namespace packages
