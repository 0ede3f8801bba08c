// The old file helpers of machine_key.h, forwarding to lib/files until lib/packages calls it
// directly (kept out of machine_key.cpp, which is format only and built into the fuzzers).
#include "files/files.h"
#include "identity/machine_key.h"

namespace identity {

bool write_file_atomically(const std::string& path, Bytes data, unsigned mode, std::string& error, bool durable) {
    const auto written =
        files::write_file_atomically(path, data, mode, durable ? files::Durability::Synced : files::Durability::Deferred);
    if (!written) error = written.error();
    return written.has_value();
}

bool read_file(const std::string& path, std::vector<uint8_t>& data, std::string& error, size_t limit) {
    auto read = files::read_file(path, limit);
    if (!read) {
        error = read.error();
        return false;
    }
    data = std::move(*read);
    return true;
}

}  // namespace identity
