#include "identity/bip39.h"

#include <algorithm>
#include <cctype>

#include "identity/bip39_wordlist.h"
#include "identity/kdf.h"

namespace identity::bip39 {
namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1])});
        std::swap(previous, current);
    }
    return previous[b.size()];
}

int index_of(std::string_view word) {
    const auto list = wordlist();
    const auto it = std::lower_bound(list.begin(), list.end(), word);
    return it != list.end() && *it == word ? static_cast<int>(it - list.begin()) : -1;
}

}  // namespace

std::span<const std::string_view> wordlist() { return english_wordlist(); }

std::string encode(Bytes entropy) {
    if (entropy.size() != kEntropySize) return {};
    const Sha256Digest checksum = sha256(entropy);
    // 256 bits of entropy then 8 bits of checksum, read 11 bits at a time.
    auto bit = [&](size_t i) -> unsigned {
        return i < 256 ? (entropy[i / 8] >> (7 - i % 8)) & 1 : (checksum.bytes[0] >> (7 - (i - 256))) & 1;
    };
    std::string words;
    for (size_t w = 0; w < kWordCount; ++w) {
        unsigned index = 0;
        for (size_t b = 0; b < 11; ++b) index = index << 1 | bit(w * 11 + b);
        if (w) words += ' ';
        words += wordlist()[index];
    }
    return words;
}

std::string DecodeError::message() const {
    switch (kind) {
        case Kind::None: return "ok";
        case Kind::WrongWordCount: return "expected 24 words, got " + std::to_string(word_index);
        case Kind::UnknownWord: {
            std::string text = "word " + std::to_string(word_index) + " '" + word + "' is not in the BIP39 English list";
            if (!suggestions.empty()) {
                text += "; did you mean";
                for (size_t i = 0; i < suggestions.size(); ++i) text += (i ? ", " : " ") + suggestions[i];
                text += "?";
            }
            return text;
        }
        case Kind::BadChecksum:
            return "the checksum does not match: every word is valid, but at least one is not the word written down "
                   "(or two are swapped)";
    }
    return "error";
}

DecodeError decode(std::string_view text, std::span<uint8_t> entropy) {
    DecodeError error;
    std::vector<std::string> words;
    std::string current;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (!current.empty()) words.push_back(std::move(current));
            current.clear();
        } else {
            current += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    if (!current.empty()) words.push_back(std::move(current));
    if (words.size() != kWordCount || entropy.size() != kEntropySize) {
        error.kind = DecodeError::Kind::WrongWordCount;
        error.word_index = words.size();
        return error;
    }
    std::array<unsigned, kWordCount> indices{};
    for (size_t w = 0; w < kWordCount; ++w) {
        const int index = index_of(words[w]);
        if (index < 0) {
            error.kind = DecodeError::Kind::UnknownWord;
            error.word_index = w + 1;
            error.word = words[w];
            error.suggestions = suggestions(words[w]);
            return error;
        }
        indices[w] = static_cast<unsigned>(index);
    }
    std::fill(entropy.begin(), entropy.end(), 0);
    uint8_t checksum = 0;
    for (size_t i = 0; i < 264; ++i) {
        const unsigned bit = (indices[i / 11] >> (10 - i % 11)) & 1;
        if (i < 256) entropy[i / 8] |= static_cast<uint8_t>(bit << (7 - i % 8));
        else checksum = static_cast<uint8_t>(checksum << 1 | bit);
    }
    if (sha256(entropy).bytes[0] != checksum) {
        secure_wipe(entropy.data(), entropy.size());
        error.kind = DecodeError::Kind::BadChecksum;
    }
    return error;
}

std::vector<std::string> suggestions(std::string_view word, size_t count) {
    std::vector<std::pair<size_t, std::string_view>> ranked;
    for (std::string_view candidate : wordlist()) {
        const bool same_prefix = word.size() >= 4 && candidate.substr(0, 4) == word.substr(0, 4);
        ranked.push_back({same_prefix ? 0 : 1 + edit_distance(word, candidate), candidate});
    }
    // Ties keep list order (the list is sorted), so the ordering is total and deterministic.
    std::sort(ranked.begin(), ranked.end());
    std::vector<std::string> result;
    for (size_t i = 0; i < ranked.size() && result.size() < count; ++i) result.emplace_back(ranked[i].second);
    return result;
}

void mnemonic_to_seed(std::string_view mnemonic, std::string_view passphrase, std::span<uint8_t> seed64) {
    const std::string salt = "mnemonic" + std::string(passphrase);
    pbkdf2_hmac(Hmac::Hash::Sha512, Bytes(reinterpret_cast<const uint8_t*>(mnemonic.data()), mnemonic.size()),
                Bytes(reinterpret_cast<const uint8_t*>(salt.data()), salt.size()), 2048, seed64);
}

}  // namespace identity::bip39
