// vectra person new | recover: the two ceremonies in which the Person's secret exists.
#include <cstdio>
#include <iostream>

#include "commands/commands.h"
#include "commands/terminal.h"
#include "identity/bip39.h"
#include "identity/person.h"

namespace commands {
namespace {

void print_identity(const identity::PublicKey& key) {
    std::printf("person public key: %s\nfingerprint:       %s\n", identity::to_hex(key.bytes).c_str(),
                identity::fingerprint(key).c_str());
}

int person_new(bool allow_non_terminal) {
    if (!stdout_is_terminal() && !allow_non_terminal) {
        std::fprintf(stderr,
                     "vectra: the 24 words are shown only on a terminal; stdout is not one. Pass "
                     "--print-words-to-non-terminal if you really mean to write them there.\n");
        return 2;
    }
    identity::SecretBuffer entropy(identity::bip39::kEntropySize);
    identity::random_bytes(entropy.span());
    std::string words = identity::bip39::encode(entropy.bytes());
    identity::SigningKey key = identity::derive_person_key(entropy.bytes());
    entropy.wipe();
    key.wipe();

    std::printf("Your 24 words. Write them on paper, in order; they are shown only now:\n\n");
    size_t index = 1, start = 0;
    while (start < words.size()) {
        size_t end = words.find(' ', start);
        if (end == std::string::npos) end = words.size();
        std::printf("%4zu %-10s%s", index, words.substr(start, end - start).c_str(), index % 6 == 0 ? "\n" : "");
        ++index;
        start = end + 1;
    }
    std::printf("\n");
    wipe_string(words);
    print_identity(key.public_key());
    return 0;
}

int person_recover() {
    std::string words = read_words("Type your 24 words (not echoed), then Enter:\n");
    identity::SecretBuffer entropy(identity::bip39::kEntropySize);
    const auto error = identity::bip39::decode(words, entropy.span());
    wipe_string(words);
    if (error.kind != identity::bip39::DecodeError::Kind::None) {
        std::fprintf(stderr, "vectra: %s\n", error.message().c_str());
        return 1;
    }
    identity::SigningKey key = identity::derive_person_key(entropy.bytes());
    entropy.wipe();
    key.wipe();
    print_identity(key.public_key());
    return 0;
}

}  // namespace

void register_person_commands(CLI::App& app) {
    auto* person = app.add_subcommand("person", "create or recover the Person (the 24 words)");
    person->require_subcommand(1);
    auto* create = person->add_subcommand("new", "make a new identity: 256 random bits shown once as 24 words");
    static bool allow_non_terminal = false;
    create->add_flag("--print-words-to-non-terminal", allow_non_terminal,
                     "write the words even though stdout is not a terminal");
    create->callback([] { throw CLI::RuntimeError(person_new(allow_non_terminal)); });
    auto* recover = person->add_subcommand("recover", "type the 24 words; prints the Person's public key");
    recover->callback([] { throw CLI::RuntimeError(person_recover()); });
}

}  // namespace commands
