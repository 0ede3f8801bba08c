// BIP39 with the English wordlist: 32 bytes of entropy ⇄ 24 words (the last word carries an
// 8-bit SHA-256 checksum), and the BIP39 seed (PBKDF2-HMAC-SHA512, 2048 rounds).
// Reading words back forgives what people paste: any whitespace (Unicode spaces such as the
// non-breaking space too), any case, the numbers of the table `person new` prints, and a
// unique prefix of four or more letters. Every unknown word is reported by position with the
// closest valid words. Nothing here allocates: the words are only ever views into the
// caller's (secret) buffer, so no copy of them is left behind in freed memory.
#pragma once

#include <array>
#include <cstdio>
#include <expected>
#include <span>
#include <string>
#include <string_view>

#include "identity/crypto.h"

namespace identity::bip39 {

inline constexpr size_t kEntropySize = 32;
inline constexpr size_t kWordCount = 24;
inline constexpr size_t kLongestWord = 8;
// 24 words and 23 spaces at most.
inline constexpr size_t kMaxEncodedSize = kWordCount * kLongestWord + kWordCount - 1;
inline constexpr size_t kSuggestionCount = 3;

// The 2048 English words, in list order (sorted).
std::span<const std::string_view> wordlist();

// Writes the 24 words, space-separated, into `out` (at least kMaxEncodedSize bytes: give it a
// SecretBuffer); returns how many bytes were written, 0 if the sizes are wrong.
size_t encode_into(Bytes entropy32, std::span<char> out);
// The same as a std::string: for test vectors only, never for a real identity.
std::string encode(Bytes entropy32);

// The list index of `token`: the word itself in any case, or a prefix of at least four letters
// that only one word has (BIP39 words are unique in their first four). -1 if neither.
int find_word(std::string_view token);

struct UnknownWord {
    size_t position = 0;    // 1-based
    std::string_view word;  // a view into the caller's text
    std::array<std::string_view, kSuggestionCount> suggestions{};  // closest list words, best first
};

struct DecodeError {
    enum class Kind { WrongWordCount, UnknownWords, BadChecksum } kind = Kind::WrongWordCount;
    size_t word_count = 0;                          // words found (WrongWordCount)
    std::array<UnknownWord, kWordCount> unknown{};  // every unknown word among the first 24
    size_t unknown_count = 0;
    // Writes the message straight to `out` (no intermediate string holding the words).
    void print(std::FILE* out) const;
    std::string message() const;  // the same text, for tests
};

// On success writes the 32 bytes of entropy into `entropy` (a SecretBuffer's span); on
// failure `entropy` holds zeros and the error says every reason.
[[nodiscard]] std::expected<void, DecodeError> decode(std::string_view words, std::span<uint8_t> entropy);
// How many words `text` holds, as decode() counts them (the numbers of the pasted table are not words).
size_t count_words(std::string_view text);

// Closest list words to `word`: same four-letter prefix first, then by edit distance.
std::array<std::string_view, kSuggestionCount> suggestions(std::string_view word);

// The BIP39 seed: PBKDF2-HMAC-SHA512(mnemonic, "mnemonic" + passphrase, 2048) → 64 bytes.
void mnemonic_to_seed(std::string_view mnemonic, std::string_view passphrase, std::span<uint8_t> seed64);

}  // namespace identity::bip39
