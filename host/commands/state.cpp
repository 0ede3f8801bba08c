#include "commands/state.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "commands/terminal.h"
#include "identity/bip39.h"
#include "identity/person.h"

namespace commands {

StateDirectory state_directory(const std::string& option) {
    if (!option.empty()) return {option};
    if (const char* env = std::getenv("VECTRA_STATE_DIR"); env && *env) return {env};
    const char* home = std::getenv("HOME");
    return {std::string(home ? home : ".") + "/.local/state/vectra"};
}

bool load_machine_key(const StateDirectory& state, std::optional<identity::SigningKey>& key) {
    std::vector<uint8_t> bytes;
    std::string error;
    if (!identity::read_file(state.key_file(), bytes, error, 4096)) {
        std::fprintf(stderr, "vectra: %s (run 'vectra machine init' first)\n", error.c_str());
        return false;
    }
    auto parsed = identity::parse_machine_key(bytes);
    identity::secure_wipe(bytes.data(), bytes.size());
    if (!parsed.key) {
        std::fprintf(stderr, "vectra: %s: %s\n", state.key_file().c_str(), parsed.error.c_str());
        return false;
    }
    key.emplace(std::move(*parsed.key));
    return true;
}

void print_fleet_error(const identity::FleetError& error) { std::fprintf(stderr, "vectra: refused: %s\n", error.message.c_str()); }

bool load_log_file(const std::string& path, const identity::PublicKey* person, std::optional<identity::FleetLog>& log) {
    std::vector<uint8_t> bytes;
    std::string error;
    if (!identity::read_file(path, bytes, error)) {
        std::fprintf(stderr, "vectra: %s\n", error.c_str());
        return false;
    }
    auto parsed = identity::parse_log(bytes);
    if (!parsed.error.empty()) {
        std::fprintf(stderr, "vectra: refused: %s: %s\n", path.c_str(), parsed.error.c_str());
        return false;
    }
    if (parsed.statements.empty()) {
        std::fprintf(stderr, "vectra: refused: %s holds no statements\n", path.c_str());
        return false;
    }
    // Without a Person key given, the genesis names it; the caller shows which key that is.
    const identity::PublicKey trusted = person ? *person : parsed.statements.front().key;
    auto verified = identity::FleetLog::verify(parsed.statements, trusted);
    if (auto* failure = std::get_if<identity::FleetError>(&verified)) {
        print_fleet_error(*failure);
        return false;
    }
    log.emplace(std::move(std::get<identity::FleetLog>(verified)));
    return true;
}

std::optional<identity::AcceptedHead> load_accepted_head(const StateDirectory& state) {
    std::vector<uint8_t> bytes;
    std::string error;
    if (!identity::read_file(state.head_file(), bytes, error, 4096)) return std::nullopt;
    return identity::parse_head(bytes);
}

bool save_log(const StateDirectory& state, const identity::FleetLog& log) {
    mkdir(state.path.c_str(), 0700);
    std::string error;
    const auto bytes = identity::encode_log(log.statements());
    if (!identity::write_file_atomically(state.log_file(), bytes, 0644, error) ||
        !identity::write_file_atomically(state.head_file(), identity::encode_head(log.head()), 0644, error)) {
        std::fprintf(stderr, "vectra: %s\n", error.c_str());
        return false;
    }
    return true;
}

std::optional<identity::SigningKey> person_key_from_words() {
    std::string words = read_words("Type the Person's 24 words (not echoed), then Enter:\n");
    identity::SecretBuffer entropy(identity::bip39::kEntropySize);
    const auto error = identity::bip39::decode(words, entropy.span());
    wipe_string(words);
    if (error.kind != identity::bip39::DecodeError::Kind::None) {
        std::fprintf(stderr, "vectra: %s\n", error.message().c_str());
        return std::nullopt;
    }
    auto key = identity::derive_person_key(entropy.bytes());
    entropy.wipe();
    return key;
}

uint64_t now_seconds() { return static_cast<uint64_t>(std::time(nullptr)); }

}  // namespace commands
