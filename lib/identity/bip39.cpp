#include "identity/bip39.h"

#include <algorithm>
#include <cstdlib>

#include "identity/bip39_wordlist.h"
#include "identity/kdf.h"

namespace identity::bip39 {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// -1, 0, 1 as `token` (compared in lower case) sorts before, equal to, or after `word`,
// considering only the first `length` characters of each.
int compare_lower(std::string_view token, std::string_view word) {
    const size_t common = std::min(token.size(), word.size());
    for (size_t i = 0; i < common; ++i) {
        const char a = lower(token[i]);
        if (a != word[i]) return a < word[i] ? -1 : 1;
    }
    return token.size() == word.size() ? 0 : (token.size() < word.size() ? -1 : 1);
}

// Edit distance with two fixed rows: words longer than the rows get no suggestions by
// distance (a list word has at most 8 letters, so nothing that long is a near miss).
constexpr size_t kMaxCompared = 32;
size_t edit_distance(std::string_view a, std::string_view b) {
    std::array<size_t, kMaxCompared + 1> previous{}, current{};
    for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (lower(a[i - 1]) != b[j - 1])});
        previous = current;
    }
    const size_t distance = previous[b.size()];
    secure_wipe(previous.data(), sizeof previous);
    secure_wipe(current.data(), sizeof current);
    return distance;
}

// UTF-8 whitespace: returns the length of the whitespace sequence at `text[at]`, 0 if none.
// ASCII space and controls, U+0085, U+00A0 (no-break space), U+1680, U+2000–U+200B, U+2028,
// U+2029, U+202F, U+205F, U+3000 and U+FEFF (a byte-order mark pasted from an editor).
size_t whitespace_at(std::string_view text, size_t at) {
    const auto byte = [&](size_t i) -> unsigned { return at + i < text.size() ? static_cast<unsigned char>(text[at + i]) : 0; };
    const unsigned b0 = byte(0);
    if (b0 == ' ' || (b0 >= '\t' && b0 <= '\r')) return 1;
    if (b0 == 0xc2 && (byte(1) == 0x85 || byte(1) == 0xa0)) return 2;
    if (b0 == 0xe1 && byte(1) == 0x9a && byte(2) == 0x80) return 3;
    if (b0 == 0xe2 && byte(1) == 0x80 && (byte(2) <= 0x8b || byte(2) == 0xa8 || byte(2) == 0xa9 || byte(2) == 0xaf)) return 3;
    if (b0 == 0xe2 && byte(1) == 0x81 && byte(2) == 0x9f) return 3;
    if (b0 == 0xe3 && byte(1) == 0x80 && byte(2) == 0x80) return 3;
    if (b0 == 0xef && byte(1) == 0xbb && byte(2) == 0xbf) return 3;
    return 0;
}

// The table `person new` prints numbers each word ("1 abandon", also "1." or "1)"): a token of
// digits, optionally closed by one of those marks, is a number, not a word.
bool is_number(std::string_view token) {
    if (!token.empty() && (token.back() == '.' || token.back() == ')' || token.back() == ':')) token.remove_suffix(1);
    return !token.empty() && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Calls `each(token)` for every word-like token, in order.
template <class Each>
void for_each_token(std::string_view text, Each each) {
    size_t at = 0;
    while (at < text.size()) {  // bound: `at` grows every iteration
        if (const size_t space = whitespace_at(text, at)) {
            at += space;
            continue;
        }
        const size_t start = at;
        while (at < text.size() && whitespace_at(text, at) == 0) ++at;
        const std::string_view token = text.substr(start, at - start);
        if (!is_number(token)) each(token);
    }
}

}  // namespace

std::span<const std::string_view> wordlist() { return english_wordlist(); }

int find_word(std::string_view token) {
    const auto list = wordlist();
    // First list word not before the token: the word itself, or the first word it prefixes.
    const auto it = std::lower_bound(list.begin(), list.end(), token,
                                     [](std::string_view word, std::string_view t) { return compare_lower(t, word) > 0; });
    if (it == list.end()) return -1;
    if (compare_lower(token, *it) == 0) return static_cast<int>(it - list.begin());
    const bool is_prefix = token.size() >= 4 && token.size() < it->size() && compare_lower(token, it->substr(0, token.size())) == 0;
    const bool unique = is_prefix && (it + 1 == list.end() || compare_lower(token, (it + 1)->substr(0, token.size())) != 0);
    return unique ? static_cast<int>(it - list.begin()) : -1;
}

size_t encode_into(Bytes entropy, std::span<char> out) {
    if (entropy.size() != kEntropySize || out.size() < kMaxEncodedSize) return 0;
    const Sha256Digest checksum = sha256(entropy);
    // 256 bits of entropy then 8 bits of checksum, read 11 bits at a time.
    auto bit = [&](size_t i) -> unsigned {
        return i < 256 ? (entropy[i / 8] >> (7 - i % 8)) & 1 : (checksum.bytes[0] >> (7 - (i - 256))) & 1;
    };
    size_t length = 0;
    for (size_t w = 0; w < kWordCount; ++w) {
        unsigned index = 0;
        for (size_t b = 0; b < 11; ++b) index = index << 1 | bit(w * 11 + b);
        if (w) out[length++] = ' ';
        const std::string_view word = wordlist()[index];
        std::copy(word.begin(), word.end(), out.begin() + static_cast<std::ptrdiff_t>(length));
        length += word.size();
    }
    return length;
}

std::string encode(Bytes entropy) {
    std::array<char, kMaxEncodedSize> buffer{};
    return std::string(buffer.data(), encode_into(entropy, buffer));
}

void DecodeError::print(std::FILE* out) const {
    switch (kind) {
        case Kind::WrongWordCount: std::fprintf(out, "expected 24 words, got %zu\n", word_count); return;
        case Kind::BadChecksum:
            std::fprintf(out, "the checksum does not match: every word is valid, but at least one is not the word "
                              "written down (or two are swapped)\n");
            return;
        case Kind::UnknownWords:
            for (size_t i = 0; i < unknown_count; ++i) {
                const UnknownWord& u = unknown[i];
                std::fprintf(out, "word %zu '%.*s' is not in the BIP39 English list", u.position, static_cast<int>(u.word.size()),
                             u.word.data());
                for (size_t s = 0; s < u.suggestions.size() && !u.suggestions[s].empty(); ++s)
                    std::fprintf(out, "%s%.*s", s ? ", " : "; did you mean ", static_cast<int>(u.suggestions[s].size()),
                                 u.suggestions[s].data());
                std::fprintf(out, "%s\n", u.suggestions[0].empty() ? "" : "?");
            }
            return;
    }
}

std::string DecodeError::message() const {
    char* text = nullptr;
    size_t size = 0;
    std::FILE* stream = open_memstream(&text, &size);
    print(stream);
    std::fclose(stream);
    std::string result(text, size);
    std::free(text);
    return result;
}

size_t count_words(std::string_view text) {
    size_t count = 0;
    for_each_token(text, [&](std::string_view) { ++count; });
    return count;
}

std::expected<void, DecodeError> decode(std::string_view text, std::span<uint8_t> entropy) {
    DecodeError error;
    std::fill(entropy.begin(), entropy.end(), 0);
    if (entropy.size() != kEntropySize) {
        error.kind = DecodeError::Kind::WrongWordCount;
        return std::unexpected(error);
    }
    // One pass: each word's 11 bits go straight into the entropy (the 8 checksum bits into
    // `checksum`); no list of words or indices is kept anywhere.
    size_t count = 0;
    uint8_t checksum = 0;
    for_each_token(text, [&](std::string_view token) {
        const size_t position = count++;
        if (position >= kWordCount) return;
        const int index = find_word(token);
        if (index < 0) {
            UnknownWord& u = error.unknown[error.unknown_count++];
            u.position = position + 1;
            u.word = token;
            u.suggestions = suggestions(token);
            return;
        }
        for (size_t b = 0; b < 11; ++b) {
            const size_t i = position * 11 + b;
            const unsigned bit = (static_cast<unsigned>(index) >> (10 - b)) & 1;
            if (i < 256) entropy[i / 8] |= static_cast<uint8_t>(bit << (7 - i % 8));
            else checksum = static_cast<uint8_t>(checksum << 1 | bit);
        }
    });
    error.word_count = count;
    bool failed = true;
    if (error.unknown_count > 0) error.kind = DecodeError::Kind::UnknownWords;
    else if (count != kWordCount) error.kind = DecodeError::Kind::WrongWordCount;
    else if (sha256(entropy).bytes[0] != checksum) error.kind = DecodeError::Kind::BadChecksum;
    else failed = false;
    secure_wipe(&checksum, sizeof checksum);
    if (!failed) return {};
    secure_wipe(entropy.data(), entropy.size());
    return std::unexpected(error);
}

std::array<std::string_view, kSuggestionCount> suggestions(std::string_view word) {
    // The best three by (rank, list order); rank 0 shares the first four letters.
    std::array<std::pair<size_t, std::string_view>, kSuggestionCount> best;
    best.fill({SIZE_MAX, {}});
    if (word.size() > kMaxCompared) return {};
    for (std::string_view candidate : wordlist()) {
        const bool same_prefix = word.size() >= 4 && compare_lower(word.substr(0, 4), candidate.substr(0, 4)) == 0;
        const size_t rank = same_prefix ? 0 : 1 + edit_distance(word, candidate);
        if (rank >= best.back().first) continue;
        best.back() = {rank, candidate};
        // Insertion keeps ties in list order: only strictly better moves up.
        for (size_t i = best.size() - 1; i > 0 && best[i].first < best[i - 1].first; --i) std::swap(best[i], best[i - 1]);
    }
    std::array<std::string_view, kSuggestionCount> result{};
    for (size_t i = 0; i < best.size(); ++i) result[i] = best[i].second;
    return result;
}

void mnemonic_to_seed(std::string_view mnemonic, std::string_view passphrase, std::span<uint8_t> seed64) {
    const std::string salt = "mnemonic" + std::string(passphrase);
    pbkdf2_hmac(Hmac::Hash::Sha512, Bytes(reinterpret_cast<const uint8_t*>(mnemonic.data()), mnemonic.size()),
                Bytes(reinterpret_cast<const uint8_t*>(salt.data()), salt.size()), 2048, seed64);
}

}  // namespace identity::bip39
