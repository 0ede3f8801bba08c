// Reading the 24 words back the way people paste them: the numbered table `person new`
// prints, any case, Unicode spaces, unique four-letter prefixes; every unknown word named.
#include <gtest/gtest.h>

#include "identity/bip39.h"

namespace {

using identity::bip39::DecodeError;

class Bip39Input : public ::testing::Test {
protected:
    static void SetUpTestSuite() { ASSERT_TRUE(identity::crypto_init()); }
    std::vector<uint8_t> entropy = std::vector<uint8_t>(32);
    std::string words;
    void SetUp() override {
        for (size_t i = 0; i < 32; ++i) entropy[i] = static_cast<uint8_t>(i * 37 + 11);
        words = identity::bip39::encode(entropy);
    }
    std::vector<std::string> split() const {
        std::vector<std::string> list;
        size_t start = 0;
        while (start < words.size()) {
            size_t end = words.find(' ', start);
            if (end == std::string::npos) end = words.size();
            list.push_back(words.substr(start, end - start));
            start = end + 1;
        }
        return list;
    }
    // The error of a decode that must fail (a success fails the test).
    DecodeError decode(const std::string& text, std::vector<uint8_t>& out) {
        auto decoded = identity::bip39::decode(text, out);
        EXPECT_FALSE(decoded) << "decoded: " << text;
        return decoded ? DecodeError{} : decoded.error();
    }
    void expect_decodes(const std::string& text) {
        std::vector<uint8_t> out(32);
        const auto decoded = identity::bip39::decode(text, out);
        EXPECT_TRUE(decoded) << decoded.error().message() << "\ninput: " << text;
        EXPECT_EQ(out, entropy);
    }
};

TEST_F(Bip39Input, TheNumberedTableAsPrintedPastesBack) {
    // The table exactly as `person new` lays it out: "%4zu %-10s", six to a line.
    std::string table;
    const auto list = split();
    for (size_t i = 0; i < list.size(); ++i) {
        char cell[32];
        std::snprintf(cell, sizeof cell, "%4zu %-10s%s", i + 1, list[i].c_str(), (i + 1) % 6 == 0 ? "\n" : "");
        table += cell;
    }
    expect_decodes(table);
    // Other numbering people write down: "1." and "1)".
    std::string dotted;
    for (size_t i = 0; i < list.size(); ++i) dotted += std::to_string(i + 1) + (i % 2 ? ". " : ") ") + list[i] + "\n";
    expect_decodes(dotted);
}

TEST_F(Bip39Input, UnicodeSpacesSeparateWords) {
    const auto list = split();
    for (const std::string space : {"\xc2\xa0", "\xe2\x80\x83", "\xe2\x80\xaf", "\xe3\x80\x80", "\xe2\x80\x8b", "\t", "\r\n"}) {
        std::string text = "\xef\xbb\xbf";  // a byte-order mark first, as some editors paste
        for (size_t i = 0; i < list.size(); ++i) text += (i ? space : "") + list[i];
        expect_decodes(text);
    }
}

TEST_F(Bip39Input, UniqueFourLetterPrefixesAndAnyCaseAreAccepted) {
    std::string text;
    for (const auto& word : split()) text += (word.size() > 4 ? word.substr(0, 4) : word) + " ";
    expect_decodes(text);
    std::string upper;
    for (char c : words) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    expect_decodes(upper);
    EXPECT_EQ(identity::bip39::find_word("aban"), 0);
    EXPECT_EQ(identity::bip39::find_word("abando"), 0);
    EXPECT_EQ(identity::bip39::find_word("zoo"), 2047);
    EXPECT_EQ(identity::bip39::find_word("ab"), -1);   // too short to be a prefix
    EXPECT_EQ(identity::bip39::find_word("abx"), -1);
    EXPECT_EQ(identity::bip39::find_word("abandonx"), -1);
}

TEST_F(Bip39Input, EveryUnknownWordIsReportedWithSuggestions) {
    auto list = split();
    list[2] = "xqzzy";
    list[9] = list[9] + "q";
    list[20] = "caf\xc3\xa9";
    std::string text;
    for (const auto& word : list) text += word + " ";
    std::vector<uint8_t> out(32, 0xaa);
    const auto error = decode(text, out);
    ASSERT_EQ(error.kind, DecodeError::Kind::UnknownWords);
    ASSERT_EQ(error.unknown_count, 3u);
    EXPECT_EQ(error.unknown[0].position, 3u);
    EXPECT_EQ(error.unknown[1].position, 10u);
    EXPECT_EQ(error.unknown[2].position, 21u);
    EXPECT_EQ(error.unknown[1].suggestions[0], split()[9]);
    const std::string message = error.message();
    for (const char* expected : {"word 3 'xqzzy'", "word 10", "word 21"}) EXPECT_NE(message.find(expected), std::string::npos) << message;
    EXPECT_EQ(out, std::vector<uint8_t>(32, 0));
}

TEST_F(Bip39Input, WrongCountsAreCounted) {
    std::vector<uint8_t> out(32);
    EXPECT_EQ(decode(words + " abandon", out).word_count, 25u);
    EXPECT_EQ(decode(words + " abandon", out).kind, DecodeError::Kind::WrongWordCount);
    EXPECT_EQ(decode("", out).kind, DecodeError::Kind::WrongWordCount);
}

}  // namespace
