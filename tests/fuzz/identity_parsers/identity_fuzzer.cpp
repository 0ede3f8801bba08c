// libFuzzer target for every identity parser: the first byte picks one — BIP39 words, a fleet
// statement, a fleet log (parsed and verified), or a machine key file — and the rest is its
// input. None may crash, leak or read out of bounds; a log that parses must verify or be
// refused with a reason.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "identity/bip39.h"
#include "identity/fleet_log.h"
#include "identity/machine_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const bool ready = identity::crypto_init();
    if (!ready || size == 0) return 0;
    const identity::Bytes input(data + 1, size - 1);
    switch (data[0] % 4) {
        case 0: {
            std::vector<uint8_t> entropy(32);
            const auto error = identity::bip39::decode(
                std::string_view(reinterpret_cast<const char*>(input.data()), input.size()), entropy);
            if (error.kind == identity::bip39::DecodeError::Kind::None && identity::bip39::encode(entropy).empty())
                __builtin_trap();  // decoded entropy must encode again
            (void)error.message();
            break;
        }
        case 1: {
            const auto decoded = identity::decode_statement(input);
            if (decoded.statement) {
                const auto again = decoded.statement->encode();
                if (again.size() != input.size() || !std::equal(again.begin(), again.end(), input.begin()))
                    __builtin_trap();  // one byte string per statement
            }
            break;
        }
        case 2: {
            const auto parsed = identity::parse_log(input);
            if (parsed.error.empty() && !parsed.statements.empty())
                (void)identity::FleetLog::verify(parsed.statements, parsed.statements.front().key);
            break;
        }
        case 3: (void)identity::parse_machine_key(input); break;
    }
    return 0;
}
