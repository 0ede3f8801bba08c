// Not a test: throughput of our SHA-256 beside OpenSSL's and libsodium's on the same buffer,
// for the figure in docs/boot_bundle.md, in process CPU time. Usage: sha256_speed [MiB, default 256].
#include "hash/sha256.h"

#include <openssl/sha.h>
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

namespace {

template <class Function>
double mib_per_second(size_t bytes, Function&& function) {
    // CPU time, not wall time: the machine is shared, and sha256sum is compared by its user time.
    timespec start{}, end{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
    function();
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &end);
    const double seconds = static_cast<double>(end.tv_sec - start.tv_sec) + static_cast<double>(end.tv_nsec - start.tv_nsec) / 1e9;
    return static_cast<double>(bytes) / (1024.0 * 1024.0) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
    const size_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 256;
    std::vector<unsigned char> data(mib * 1024 * 1024);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(i * 2654435761u >> 13);
    if (sodium_init() < 0) return 1;
    unsigned char sink[32];
    const double ours = mib_per_second(data.size(), [&] {
        const auto digest = hash::Sha256::digest({data.data(), data.size()});
        sink[0] ^= digest.bytes[0];
    });
    const double openssl = mib_per_second(data.size(), [&] { SHA256(data.data(), data.size(), sink); });
    const double sodium = mib_per_second(data.size(), [&] { crypto_hash_sha256(sink, data.data(), data.size()); });
    std::printf("SHA-256 over %zu MiB: vectra %.0f MiB/s, OpenSSL %.0f MiB/s, libsodium %.0f MiB/s\n", mib, ours, openssl, sodium);
    std::printf("(digest byte %u)\n", sink[0]);  // keeps the digests alive
    return 0;
}
