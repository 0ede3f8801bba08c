#include "commands/state.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "commands/exit_codes.h"
#include "commands/terminal.h"
#include "identity/bip39.h"
#include "identity/fleet_mirror.h"
#include "identity/person.h"

namespace commands {
namespace {

constexpr size_t kMaxLogFile = 1ull << 31;  // ten million statements of ~200 bytes

files::Expected<std::vector<identity::Statement>> read_statements(const std::string& path, const identity::AcceptedHead* head = nullptr) {
    const auto bytes = VECTRA_TRY(files::read_file(path, kMaxLogFile));
    auto parsed = identity::parse_log(bytes);
    if (!parsed && head != nullptr) {
        // A save appends; a crash in the middle leaves a torn record after statements this
        // machine had not yet accepted. Those records never counted: take what comes before.
        const size_t intact_bytes = parsed.error().intact_bytes;
        auto intact = identity::parse_log(identity::Bytes(bytes.data(), intact_bytes));
        if (intact && intact->size() >= head->length) {
            std::fprintf(stderr, "vectra: note: %s ends in %zu bytes of an interrupted write, past what this machine accepted; ignored\n",
                         path.c_str(), bytes.size() - intact_bytes);
            parsed = std::move(intact);
        }
    }
    if (!parsed) return files::failure("refused: " + path + ": " + parsed.error().message);
    if (parsed->empty()) return files::failure("refused: " + path + " holds no statements");
    return std::move(*parsed);
}

}  // namespace

StateDirectory state_directory(const std::string& option) {
    if (!option.empty()) return {option};
    if (const char* env = std::getenv("VECTRA_STATE_DIR"); env && *env) return {env};
    const char* home = std::getenv("HOME");
    return {std::string(home ? home : ".") + "/.local/state/vectra"};
}

files::Expected<identity::SigningKey> load_machine_key(const StateDirectory& state) {
    // The file is the secret: read straight into locked memory, parsed there.
    identity::SecretBuffer bytes(identity::kMachineKeyFileSize);
    const auto size = files::read_file_into(state.key_file(), bytes.span());
    if (!size) return files::failure(size.error() + " (run 'vectra machine init' first)");
    auto parsed = identity::parse_machine_key(identity::Bytes(bytes.data(), *size));
    if (!parsed) return files::failure(state.key_file() + ": " + parsed.error());
    return std::move(*parsed);
}

std::string load_machine_name(const StateDirectory& state) {
    const auto bytes = files::read_file(state.name_file(), 256);
    return bytes ? std::string(bytes->begin(), bytes->end()) : std::string();
}

files::Expected<std::optional<identity::AcceptedHead>> load_accepted_head(const StateDirectory& state) {
    const bool has_log = files::exists(state.log_file()), has_head = files::exists(state.head_file());
    if (!has_log && !has_head) return std::optional<identity::AcceptedHead>();
    // A log without its head has lost its rollback guard: refuse rather than forget it.
    if (!has_head)
        return files::failure("refused: " + state.head_file() + " is missing, so this machine can no longer tell a rolled-back " +
                              "fleet.log from its own; restore fleet.head from a backup, or move the fleet files away and " +
                              "join again ('vectra machine join SOURCE')");
    const auto bytes = files::read_file(state.head_file(), 4096);
    if (!bytes) return files::failure("refused: " + bytes.error());
    const auto head = identity::parse_head(*bytes);
    if (!head)
        return files::failure("refused: " + state.head_file() + " is damaged (not an accepted head); restore it from a " +
                              "backup, or move the fleet files away and join again ('vectra machine join SOURCE')");
    if (!has_log)
        return files::failure("refused: " + state.log_file() + " is missing but this machine accepted " +
                              std::to_string(head->length) + " statements; sync it again from a mirror ('vectra fleet sync SOURCE')");
    return std::optional<identity::AcceptedHead>(*head);
}

files::Expected<std::optional<identity::FleetLog>> load_fleet(const StateDirectory& state) {
    const auto head = VECTRA_TRY(load_accepted_head(state));
    if (!head) return std::optional<identity::FleetLog>();
    const auto statements = VECTRA_TRY(read_statements(state.log_file(), &*head));
    auto restored = identity::FleetLog::restore(statements, *head);
    if (!restored) return files::failure("refused: " + state.log_file() + ": " + describe(restored.error()));
    return std::optional<identity::FleetLog>(std::move(*restored));
}

files::Expected<identity::FleetLog> verify_log_file(const std::string& path, const identity::PublicKey* person) {
    const auto statements = VECTRA_TRY(read_statements(path));
    const identity::PublicKey trusted = person ? *person : statements.front().key;
    auto verified = identity::FleetLog::verify(statements, trusted);
    if (!verified) return files::failure("refused: " + path + ": " + describe(verified.error()));
    return std::move(*verified);
}

files::Expected<std::optional<ResumedFleet>> resume_fleet(const StateDirectory& state) {
    const auto head = VECTRA_TRY(load_accepted_head(state));
    if (!head) return std::optional<ResumedFleet>();
    const auto bytes = files::read_file(state.verified_state_file(), kMaxLogFile);
    if (!bytes) return std::optional<ResumedFleet>();
    auto saved = identity::parse_saved_state(*bytes);
    // Is it the state of the accepted head?
    if (!saved || saved->state.person != head->person || saved->state.length != head->length ||
        saved->state.head_hash != head->last_hash || saved->last_record_bytes < 4 || saved->last_record_bytes > saved->log_bytes)
        return std::optional<ResumedFleet>();
    // Does fleet.log agree: its size, and its last record the head statement?
    struct stat status {};
    if (stat(state.log_file().c_str(), &status) != 0 || static_cast<uint64_t>(status.st_size) != saved->log_bytes)
        return std::optional<ResumedFleet>();
    const auto tail = files::read_tail(state.log_file(), saved->log_bytes - saved->last_record_bytes, saved->last_record_bytes);
    if (!tail) return std::optional<ResumedFleet>();
    const uint32_t length = uint32_t((*tail)[0]) << 24 | uint32_t((*tail)[1]) << 16 | uint32_t((*tail)[2]) << 8 | (*tail)[3];
    if (length + 4 != tail->size()) return std::optional<ResumedFleet>();
    const auto last = identity::decode_statement(identity::Bytes(*tail).subspan(4));
    if (!last || last->sequence + 1 != head->length || last->hash() != head->last_hash) return std::optional<ResumedFleet>();
    // The log takes the machine table; `saved` keeps the rest (what the next save needs).
    std::vector<identity::FleetMachine> machines = std::move(saved->state.machines);
    saved->state.machines.clear();
    identity::VerifiedState verified = saved->state;
    verified.machines = std::move(machines);
    auto log = identity::FleetLog::resume(std::move(verified));
    if (!log) return std::optional<ResumedFleet>();
    return std::optional<ResumedFleet>(ResumedFleet{std::move(*log), std::move(*saved)});
}

namespace {

// fleet.state for `log`, whose file holds `log_bytes`, the last `last_record_bytes` of them its head.
files::Expected<> save_verified_state(const StateDirectory& state, const identity::FleetLog& log, uint64_t log_bytes,
                                      uint32_t last_record_bytes) {
    identity::SavedState saved{log.verified_state(identity::kSegmentStatements), log_bytes, last_record_bytes};
    return files::write_file_atomically(state.verified_state_file(), identity::encode_saved_state(saved), 0644);
}

}  // namespace

files::Expected<> refresh_verified_state(const StateDirectory& state, const identity::FleetLog& log) {
    if (log.first_statement() != 0) return files::failure("internal error: a resumed log is not a whole log");
    const auto bytes = identity::encode_log(log.statements());
    struct stat status {};
    if (stat(state.log_file().c_str(), &status) != 0 || static_cast<uint64_t>(status.st_size) != bytes.size())
        return {};  // a torn tail (or a change): the next save writes the state
    return save_verified_state(state, log, bytes.size(), static_cast<uint32_t>(4 + log.statements().back().encode().size()));
}

files::Expected<> save_fleet(const StateDirectory& state, const identity::FleetLog& log, const identity::SavedState* resumed_from) {
    if (log.first_statement() != 0) {
        // Resumed: append what is new to the file the saved state describes.
        if (resumed_from == nullptr || resumed_from->state.length != log.first_statement())
            return files::failure("internal error: a resumed log saved without its state; nothing written");
        struct stat status {};
        if (stat(state.log_file().c_str(), &status) != 0 || static_cast<uint64_t>(status.st_size) != resumed_from->log_bytes)
            return files::failure("refused: " + state.log_file() + " changed while this command ran; nothing written");
        std::vector<uint8_t> records;
        uint32_t last_record_bytes = resumed_from->last_record_bytes;
        for (const identity::Statement& statement : log.statements()) {
            const auto encoded = statement.encode();
            // Every statement passed the log's rules, which include the decoder's: check anyway.
            if (!identity::decode_statement(encoded))
                return files::failure("internal error: statement " + std::to_string(statement.sequence) + " would not load back; nothing written");
            for (int i = 3; i >= 0; --i) records.push_back(static_cast<uint8_t>(encoded.size() >> (8 * i)));
            records.insert(records.end(), encoded.begin(), encoded.end());
            last_record_bytes = static_cast<uint32_t>(4 + encoded.size());
        }
        if (!records.empty()) VECTRA_TRY(files::append_to_file(state.log_file(), records));
        VECTRA_TRY(files::write_file_atomically(state.head_file(), identity::encode_head(log.head()), 0644));
        return save_verified_state(state, log, resumed_from->log_bytes + records.size(), last_record_bytes);
    }
    const auto bytes = identity::encode_log(log.statements());
    VECTRA_TRY(files::make_directories(state.path, 0700));
    // Usually the file on disk is this log minus its newest statements: then only those are
    // appended, so a sync costs what is new, not the whole file. Otherwise (a first save, a
    // torn tail, an adopted log) the whole file is written atomically.
    size_t kept = 0;
    if (auto existing = files::read_file(state.log_file(), kMaxLogFile);
        existing && existing->size() > 8 && existing->size() < bytes.size() && std::equal(existing->begin(), existing->end(), bytes.begin()))
        kept = existing->size();
    // Every statement passed the log's rules, which include the decoder's; check the bytes
    // written too (those past `kept`), so that what is saved is exactly what a load reads back.
    size_t checked_from = bytes.size();
    for (size_t i = log.length(); i > 0 && checked_from > kept; --i) {
        const auto encoded = log.statements()[i - 1].encode();
        checked_from -= 4 + encoded.size();
        if (!identity::decode_statement(encoded))
            return files::failure("internal error: statement " + std::to_string(i - 1) + " would not load back; nothing written");
    }
    if (kept > 0) VECTRA_TRY(files::append_to_file(state.log_file(), identity::Bytes(bytes).subspan(kept)));
    else VECTRA_TRY(files::write_file_atomically(state.log_file(), bytes, 0644));
    VECTRA_TRY(files::write_file_atomically(state.head_file(), identity::encode_head(log.head()), 0644));
    return save_verified_state(state, log, bytes.size(), static_cast<uint32_t>(4 + log.statements().back().encode().size()));
}

std::expected<files::FileLock, files::FileLock::Failure> lock_fleet(const StateDirectory& state, int wait_seconds) {
    if (auto made = files::make_directories(state.path, 0700); !made) return std::unexpected(files::FileLock::Failure{made.error(), false});
    return files::FileLock::acquire(state.lock_file(), std::chrono::seconds(wait_seconds));
}

std::expected<identity::SigningKey, int> person_key_from_words() {
    SecretText words;
    if (auto read = read_secret_words(STDIN_FILENO, "Type the Person's 24 words (not echoed), then Enter:\n", words); !read)
        return std::unexpected(report(read.error(), kExitUsage));
    identity::SecretBuffer entropy(identity::bip39::kEntropySize);
    const auto decoded = identity::bip39::decode(words.view(), entropy.span());
    if (!decoded) {
        std::fprintf(stderr, "vectra: ");
        decoded.error().print(stderr);
        return std::unexpected(kExitUsage);
    }
    return identity::derive_person_key(entropy.bytes());
}

std::string describe(const identity::FleetError& error) {
    if (error.kind == identity::FleetError::Kind::Fork)
        return error.message +
               ". Two different statements were signed with one sequence number: this happens when the 24 words "
               "enrolled or revoked on two machines that had not synced. The way out: pick the log to keep (usually "
               "the mirror's), and on each machine holding the other one run 'vectra machine join SOURCE "
               "--leave-forked-log', which keeps the old log beside the new as fleet.log.forked-TIME and enrolls the "
               "machine again into the kept log (docs/identity.md, \"Forks\")";
    if (error.kind == identity::FleetError::Kind::Rollback)
        return error.message + ": an older copy of the log cannot make this machine forget what it accepted";
    return error.message;
}

uint64_t now_seconds() { return static_cast<uint64_t>(std::time(nullptr)); }

int report(const std::string& message, int code) {
    std::fprintf(stderr, "vectra: %s\n", message.c_str());
    return code;
}

}  // namespace commands
