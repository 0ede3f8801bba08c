// BIP39 with the English wordlist: 32 bytes of entropy ⇄ 24 words (the last word carries an
// 8-bit SHA-256 checksum), and the BIP39 seed (PBKDF2-HMAC-SHA512, 2048 rounds). A mistyped
// word is reported by position with the closest valid words.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "identity/crypto.h"

namespace identity::bip39 {

inline constexpr size_t kEntropySize = 32;
inline constexpr size_t kWordCount = 24;

// The 2048 English words, in list order (sorted).
std::span<const std::string_view> wordlist();

// 24 words, space-separated.
std::string encode(Bytes entropy32);

struct DecodeError {
    enum class Kind { None, WrongWordCount, UnknownWord, BadChecksum } kind = Kind::None;
    size_t word_index = 0;  // 1-based position of the unknown word
    std::string word;
    std::vector<std::string> suggestions;  // closest valid words, best first
    std::string message() const;
};

// Words separated by any whitespace, case-insensitive. On success writes the 32 bytes of
// entropy into `entropy` (which should be a SecretBuffer's span) and returns Kind::None.
DecodeError decode(std::string_view words, std::span<uint8_t> entropy);

// Closest list words to `word`: same four-letter prefix first (BIP39 words are unique in
// their first four letters), then by edit distance.
std::vector<std::string> suggestions(std::string_view word, size_t count = 3);

// The BIP39 seed: PBKDF2-HMAC-SHA512(mnemonic, "mnemonic" + passphrase, 2048) → 64 bytes.
void mnemonic_to_seed(std::string_view mnemonic, std::string_view passphrase, std::span<uint8_t> seed64);

}  // namespace identity::bip39
