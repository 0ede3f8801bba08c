#include "identity/machine_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace identity {

std::vector<uint8_t> encode_machine_key(Bytes seed, const PublicKey& public_key) {
    std::vector<uint8_t> out = {'V', 'X', 'M', 'K', 1, 0, 0, 0};
    out.insert(out.end(), seed.begin(), seed.end());
    out.insert(out.end(), public_key.bytes.begin(), public_key.bytes.end());
    return out;
}

MachineKeyFile parse_machine_key(Bytes bytes) {
    MachineKeyFile result;
    if (bytes.size() != 8 + 32 + 32) {
        result.error = "machine key file has the wrong size";
        return result;
    }
    if (std::memcmp(bytes.data(), "VXMK\1\0\0\0", 8) != 0) {
        result.error = "not a machine key file (bad magic or version)";
        return result;
    }
    SigningKey key = SigningKey::from_seed(bytes.subspan(8, 32));
    PublicKey stored;
    std::memcpy(stored.bytes.data(), bytes.data() + 40, 32);
    if (key.public_key() != stored) {
        result.error = "machine key file is corrupt: its public key does not match its secret";
        return result;
    }
    result.key.emplace(std::move(key));
    return result;
}

bool write_file_atomically(const std::string& path, Bytes data, unsigned mode, std::string& error, bool durable) {
    const std::string temporary = path + ".tmp." + std::to_string(getpid());
    const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        error = "cannot create " + temporary + ": " + std::strerror(errno);
        return false;
    }
    size_t written = 0;
    while (written < data.size()) {
        const ssize_t n = write(fd, data.data() + written, data.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error = "cannot write " + temporary + ": " + std::strerror(errno);
            close(fd);
            unlink(temporary.c_str());
            return false;
        }
        written += static_cast<size_t>(n);
    }
    if (fchmod(fd, mode) != 0 || (durable && fsync(fd) != 0) || close(fd) != 0) {
        error = "cannot finish " + temporary + ": " + std::strerror(errno);
        unlink(temporary.c_str());
        return false;
    }
    if (rename(temporary.c_str(), path.c_str()) != 0) {
        error = "cannot rename into " + path + ": " + std::strerror(errno);
        unlink(temporary.c_str());
        return false;
    }
    return true;
}

bool read_file(const std::string& path, std::vector<uint8_t>& data, std::string& error, size_t limit) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
    data.clear();
    uint8_t buffer[65536];
    for (;;) {
        const ssize_t n = read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = "cannot read " + path + ": " + std::strerror(errno);
            close(fd);
            return false;
        }
        if (n == 0) break;
        data.insert(data.end(), buffer, buffer + n);
        if (data.size() > limit) {
            error = path + " is larger than " + std::to_string(limit) + " bytes";
            close(fd);
            return false;
        }
    }
    close(fd);
    return true;
}

}  // namespace identity
