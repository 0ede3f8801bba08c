// libFuzzer target for every identity parser: the first byte picks one — BIP39 words, a fleet
// statement, a fleet log (parsed and verified), a machine key file, or a mirror's answer to a
// fleet sync (an 80-byte head, then one segment) — and the rest is its input. None may crash, leak or read out of bounds; a log that parses must verify or be
// refused with a reason.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "identity/bip39.h"
#include "identity/fleet_log.h"
#include "identity/fleet_mirror.h"
#include "identity/fleet_state.h"
#include "identity/machine_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const bool ready = identity::crypto_init();
    if (!ready || size == 0) return 0;
    const identity::Bytes input(data + 1, size - 1);
    switch (data[0] % 6) {
        case 0: {
            std::vector<uint8_t> entropy(32);
            const auto decoded = identity::bip39::decode(
                std::string_view(reinterpret_cast<const char*>(input.data()), input.size()), entropy);
            if (decoded && identity::bip39::encode(entropy).empty()) __builtin_trap();  // decoded entropy must encode again
            if (!decoded) (void)decoded.error().message();
            break;
        }
        case 1: {
            const auto decoded = identity::decode_statement(input);
            if (decoded) {
                const auto again = decoded->encode();
                if (again.size() != input.size() || !std::equal(again.begin(), again.end(), input.begin()))
                    __builtin_trap();  // one byte string per statement
            }
            break;
        }
        case 2: {
            const auto parsed = identity::parse_log(input);
            if (parsed && !parsed->empty()) (void)identity::FleetLog::verify(*parsed, parsed->front().key);
            break;
        }
        case 3: (void)identity::parse_machine_key(input); break;
        case 5: {  // fleet.state: whatever parses must resume or be refused, never crash
            const auto saved = identity::parse_saved_state(input);
            if (saved) (void)identity::FleetLog::resume(saved->state);
            break;
        }
        case 4: {
            // A machine holding a 3-statement log asks a mirror whose every answer is the input.
            static const identity::SigningKey person = identity::SigningKey::from_seed(std::vector<uint8_t>(32, 7));
            static const identity::FleetLog start = [] {
                auto log = identity::FleetLog::create(person, 1000);
                for (uint8_t i = 0; i < 2; ++i)
                    (void)log.append_new(identity::StatementKind::MachineCertificate,
                                         identity::SigningKey::from_seed(std::vector<uint8_t>(32, uint8_t(20 + i))).public_key(),
                                         "m" + std::to_string(i), 1001 + i, person);
                return log;
            }();
            const size_t head_size = std::min(input.size(), identity::kMirrorHeadSize);
            const std::vector<uint8_t> head(input.begin(), input.begin() + static_cast<long>(head_size));
            const std::vector<uint8_t> segment(input.begin() + static_cast<long>(head_size), input.end());
            identity::FleetLog log = start;
            const auto synced = identity::sync_from_mirror(
                log,
                [&](const std::string& path, size_t limit) -> std::expected<std::vector<uint8_t>, identity::FetchFailure> {
                    const auto& bytes = path == identity::kMirrorHeadPath ? head : segment;
                    if (bytes.size() > limit) return std::unexpected(identity::FetchFailure{"too large", false});
                    return bytes;
                },
                "fuzz");
            // Whatever was taken extends the start, statement for statement.
            for (uint64_t i = 0; i < start.length(); ++i)
                if (log.hash_at(i) != start.hash_at(i)) __builtin_trap();
            if (synced && synced->state == identity::SyncOutcome::State::Extended && log.length() <= start.length()) __builtin_trap();
            break;
        }
    }
    return 0;
}
