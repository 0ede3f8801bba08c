// ./vectra bench identity: verifying a 100,000-statement fleet log from scratch beside
// libsodium verifying the same 100,000 signatures alone (the floor), the cost of accepting one
// more statement on a verified head at several log lengths (it must not grow), and the log's
// size per statement.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "identity/fleet_log.h"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

identity::SigningKey key_number(uint64_t n) {
    std::vector<uint8_t> seed(32, 0);
    for (int i = 0; i < 8; ++i) seed[i] = static_cast<uint8_t>(n >> (8 * i));
    seed[31] = 0x5a;
    return identity::SigningKey::from_seed(seed);
}

identity::FleetLog build_log(const identity::SigningKey& person, uint64_t statements) {
    identity::FleetLog log = identity::FleetLog::create(person, 1'700'000'000);
    for (uint64_t i = 1; i < statements; ++i) {
        const auto machine = key_number(i).public_key();
        (void)log.append_new(identity::StatementKind::MachineCertificate, machine, "m" + std::to_string(i), 1'700'000'000 + i, person);
    }
    return log;
}

// Median time to append one certificate on top of `log` (each measured append is kept).
double append_cost(identity::FleetLog& log, const identity::SigningKey& person, uint64_t first_id) {
    std::vector<identity::Statement> next;
    for (uint64_t i = 0; i < 201; ++i) {
        identity::Statement s;
        s.kind = identity::StatementKind::MachineCertificate;
        s.key = key_number(first_id + i).public_key();
        s.text = "n" + std::to_string(first_id + i);
        next.push_back(s);
    }
    std::vector<double> costs;
    for (auto& s : next) {
        s.sequence = log.length();
        s.previous = log.head_hash();
        s.time = log.statements().back().time;
        identity::sign_statement(s, person);  // signing is the Person's cost, not the check's
        const auto start = Clock::now();
        if (!log.append(s)) std::abort();
        costs.push_back(seconds_since(start));
    }
    std::sort(costs.begin(), costs.end());
    return costs[costs.size() / 2];
}

}  // namespace

int main() {
    if (!identity::crypto_init()) return 1;
    const uint64_t kStatements = 100'000;
    const auto person = key_number(~0ull);
    std::printf("building a fleet log of %llu statements...\n", static_cast<unsigned long long>(kStatements));
    const identity::FleetLog log = build_log(person, kStatements);
    const auto bytes = identity::encode_log(log.statements());

    // The floor: libsodium alone verifying the same signatures over the same messages.
    std::vector<std::vector<uint8_t>> messages;
    for (const auto& s : log.statements()) messages.push_back(identity::signing_message(s));
    auto start = Clock::now();
    for (size_t i = 0; i < messages.size(); ++i)
        if (!identity::verify(person.public_key(), messages[i], log.statements()[i].signature)) std::abort();
    const double floor = seconds_since(start);

    // Ours: parse the file, check every rule and every signature.
    start = Clock::now();
    const auto parsed = identity::parse_log(bytes);
    if (!parsed) return 1;
    auto verified = identity::FleetLog::verify(*parsed, person.public_key());
    const double full = seconds_since(start);
    if (!verified) return 1;

    std::printf("\n%-52s %10.3f s\n", "verify 100,000-statement log from scratch", full);
    std::printf("%-52s %10.3f s\n", "libsodium alone, same 100,000 signatures (floor)", floor);
    std::printf("%-52s %+9.1f %%\n", "overhead of parsing, hashing and log rules", 100.0 * (full - floor) / floor);

    std::printf("\naccepting one more statement on a verified head (median of 201):\n");
    for (uint64_t length : {1'000ull, 10'000ull, 100'000ull}) {
        identity::FleetLog prefix = length == kStatements ? *verified : build_log(person, length);
        std::printf("  at %7llu statements: %8.1f us\n", static_cast<unsigned long long>(length),
                    1e6 * append_cost(prefix, person, 10'000'000 + length));
    }
    std::printf("\nlog size: %zu bytes, %.1f bytes per statement\n", bytes.size(), double(bytes.size()) / double(kStatements));
    return 0;
}
