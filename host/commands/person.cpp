// vectra person new | recover: the two ceremonies in which the Person's secret exists.
// The words are built and printed from SecretBuffers with write(2): no stdio buffer, no
// std::string ever holds them.
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "commands/commands.h"
#include "commands/exit_codes.h"
#include "commands/state.h"
#include "commands/terminal.h"
#include "files/files.h"
#include "identity/bip39.h"
#include "identity/person.h"

namespace commands {
namespace {

void print_identity(const identity::PublicKey& key) {
    std::printf("person public key: %s\nfingerprint:       %s\n", identity::to_hex(key.bytes).c_str(), identity::fingerprint(key).c_str());
}

// The numbered table, six words a line ("   1 abandon   "), built in `out`; its length.
// Pasted back whole, it reads as the 24 words: the numbers are skipped.
size_t format_table(std::string_view words, std::span<char> out) {
    size_t length = 0, index = 1, start = 0;
    while (start < words.size() && length + 32 < out.size()) {
        size_t end = words.find(' ', start);
        if (end == std::string_view::npos) end = words.size();
        const int n = std::snprintf(out.data() + length, out.size() - length, "%4zu %-10.*s%s", index, static_cast<int>(end - start),
                                    words.data() + start, index % 6 == 0 ? "\n" : "");
        length += static_cast<size_t>(n);
        ++index;
        start = end + 1;
    }
    return length;
}

int person_new(bool allow_non_terminal) {
    if (!stdout_is_terminal() && !allow_non_terminal)
        return report("the 24 words are shown only on a terminal; stdout is not one. Pass --print-words-to-non-terminal "
                      "if you really mean to write them there.",
                      kExitUsage);
    identity::SecretBuffer entropy(identity::bip39::kEntropySize);
    identity::random_bytes(entropy.span());
    identity::SecretBuffer words(identity::bip39::kMaxEncodedSize);
    const size_t length = identity::bip39::encode_into(entropy.bytes(), words.chars());
    identity::SigningKey key = identity::derive_person_key(entropy.bytes());
    entropy.wipe();
    key.wipe();

    identity::SecretBuffer table(1024);
    const size_t table_length = format_table(std::string_view(words.chars().data(), length), table.chars());
    std::printf("Your 24 words. Write them on paper, in order; they are shown only now:\n\n");
    std::fflush(stdout);
    // Straight from the secret buffer to the descriptor: no stdio buffer keeps a copy.
    const auto* table_bytes = reinterpret_cast<const uint8_t*>(table.chars().data());
    if (!files::write_all(STDOUT_FILENO, files::Bytes(table_bytes, table_length), "the words") ||
        !files::write_all(STDOUT_FILENO, files::Bytes(reinterpret_cast<const uint8_t*>("\n"), 1), "the words"))
        return report("cannot write the words", kExitRefused);
    print_identity(key.public_key());
    return kExitOk;
}

int person_recover() {
    auto key = person_key_from_words();
    if (!key) return key.error();
    key->wipe();
    print_identity(key->public_key());
    return kExitOk;
}

}  // namespace

void register_person_commands(CLI::App& app) {
    auto* person = app.add_subcommand("person", "create or recover the Person (the 24 words)");
    person->require_subcommand(1);
    auto* create = person->add_subcommand("new", "make a new identity: 256 random bits shown once as 24 words");
    static bool allow_non_terminal = false;
    create->add_flag("--print-words-to-non-terminal", allow_non_terminal, "write the words even though stdout is not a terminal");
    create->callback([] { throw CLI::RuntimeError(person_new(allow_non_terminal)); });
    auto* recover = person->add_subcommand("recover", "type the 24 words (or paste the numbered table); prints the Person's key and fingerprint");
    recover->callback([] { throw CLI::RuntimeError(person_recover()); });
}

}  // namespace commands
