// Identity primitives against published references: RFC 5869 (HKDF), the BIP39 English
// wordlist hash and Trezor's 24-word vectors (entropy → words → seed, which exercises our
// PBKDF2-HMAC-SHA512), and derivation v1 vectors computed independently (Python's hmac and
// OpenSSL's Ed25519; see docs/identity.md).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "identity/bip39.h"
#include "identity/crypto.h"
#include "identity/kdf.h"
#include "identity/person.h"

namespace {

using identity::Bytes;

std::vector<uint8_t> hex(const std::string& text) {
    std::vector<uint8_t> out(text.size() / 2);
    EXPECT_TRUE(identity::from_hex(text, out)) << text;
    return out;
}

class Identity : public ::testing::Test {
protected:
    static void SetUpTestSuite() { ASSERT_TRUE(identity::crypto_init()); }
};

TEST_F(Identity, HkdfMatchesRfc5869TestCases1And3) {
    const auto ikm = std::vector<uint8_t>(22, 0x0b);
    std::vector<uint8_t> okm(42);
    ASSERT_TRUE(identity::hkdf(identity::Hmac::Hash::Sha256, hex("000102030405060708090a0b0c"), ikm,
                               hex("f0f1f2f3f4f5f6f7f8f9"), okm));
    EXPECT_EQ(identity::to_hex(okm), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    ASSERT_TRUE(identity::hkdf(identity::Hmac::Hash::Sha256, {}, ikm, {}, okm));
    EXPECT_EQ(identity::to_hex(okm), "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST_F(Identity, TheWordlistIsThePublishedOne) {
    std::ifstream file(VECTRA_WORDLIST_FILE, std::ios::binary);
    const std::string text(std::istreambuf_iterator<char>(file), {});
    const auto digest = identity::sha256(Bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    EXPECT_EQ(identity::to_hex(digest.bytes), "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda");
    const auto list = identity::bip39::wordlist();
    ASSERT_EQ(list.size(), 2048u);
    EXPECT_EQ(list.front(), "abandon");
    EXPECT_EQ(list.back(), "zoo");
    for (size_t i = 1; i < list.size(); ++i) EXPECT_LT(list[i - 1], list[i]);
}

struct TrezorVector {
    const char* entropy;
    const char* words;
    const char* seed;  // with passphrase "TREZOR"
};

const TrezorVector kTrezor[] = {
    {"0000000000000000000000000000000000000000000000000000000000000000",
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon art",
     "bda85446c68413707090a52022edd26a1c9462295029f2e60cd7c4f2bbd3097170af7a4d73245cafa9c3cca8d561a7c3de6f5d4a10be8ed2a5e608d68f92fcc8"},
    {"7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
     "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner "
     "thank year wave sausage worth title",
     "bc09fca1804f7e69da93c2f2028eb238c227f2e9dda30cd63699232578480a4021b146ad717fbb7e451ce9eb835f43620bf5c514db0f8add49f5d121449d3e87"},
    {"8080808080808080808080808080808080808080808080808080808080808080",
     "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic avoid "
     "letter advice cage absurd amount doctor acoustic bless",
     "c0c519bd0e91a2ed54357d9d1ebef6f5af218a153624cf4f2da911a0ed8f7a09e2ef61af0aca007096df430022f7a2b6fb91661a9589097069720d015e4e982f"},
    {"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
     "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote",
     "dd48c104698c30cfe2b6142103248622fb7bb0ff692eebb00089b32d22484e1613912f0a5b694407be899ffd31ed3992c456cdf60f5d4564b8ba3f05a69890ad"},
    {"68a79eaca2324873eacc50cb9c6eca8cc68ea5d936f98787c60c7ebc74e6ce7c",
     "hamster diagram private dutch cause delay private meat slide toddler razor book happy fancy gospel tennis maple "
     "dilemma loan word shrug inflict delay length",
     "64c87cde7e12ecf6704ab95bb1408bef047c22db4cc7491c4271d170a1b213d20b385bc1588d9c7b38f1b39d415665b8a9030c9ec653d75e65f847d8fc1fc440"},
};

TEST_F(Identity, Bip39MatchesTrezorsTwentyFourWordVectors) {
    for (const auto& vector : kTrezor) {
        const auto entropy = hex(vector.entropy);
        EXPECT_EQ(identity::bip39::encode(entropy), vector.words);
        std::vector<uint8_t> decoded(32);
        EXPECT_TRUE(identity::bip39::decode(vector.words, decoded));
        EXPECT_EQ(decoded, entropy);
        std::vector<uint8_t> seed(64);
        identity::bip39::mnemonic_to_seed(vector.words, "TREZOR", seed);
        EXPECT_EQ(identity::to_hex(seed), vector.seed);
    }
}

TEST_F(Identity, PersonDerivationV1MatchesItsPublishedVectors) {
    struct {
        const char* entropy;
        const char* public_key;
        const char* fingerprint;
    } vectors[] = {
        {"0000000000000000000000000000000000000000000000000000000000000000",
         "d75da0afa651cd1e13a3f0416003ec906af1a36896f9266ad1fa282530ff98f4", "d1a4-e940-66e6-a455"},
        {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
         "04138d07b5b54f523cec34935604a92471f41b75d0a9e35cee1a3692ca740054", "686e-1de2-484a-c2b7"},
    };
    for (const auto& v : vectors) {
        const auto key = identity::derive_person_key(hex(v.entropy));
        EXPECT_EQ(identity::to_hex(key.public_key().bytes), v.public_key);
        EXPECT_EQ(identity::fingerprint(key.public_key()), v.fingerprint);
    }
}

TEST_F(Identity, ATypoIsNamedByPositionWithSuggestions) {
    std::string words = kTrezor[4].words;
    words.replace(words.find("diagram"), 7, "diagrm");
    std::vector<uint8_t> entropy(32);
    const auto decoded = identity::bip39::decode(words, entropy);
    ASSERT_FALSE(decoded);
    const auto& error = decoded.error();
    ASSERT_EQ(error.kind, identity::bip39::DecodeError::Kind::UnknownWords);
    ASSERT_EQ(error.unknown_count, 1u);
    EXPECT_EQ(error.unknown[0].position, 2u);
    EXPECT_EQ(error.unknown[0].suggestions.front(), "diagram");
    EXPECT_NE(error.message().find("word 2 'diagrm'"), std::string::npos);
}

TEST_F(Identity, AValidWordInTheWrongPlaceFailsTheChecksum) {
    std::string words = kTrezor[4].words;
    words.replace(0, 7, "diagram");  // swap "hamster" for another valid word
    std::vector<uint8_t> entropy(32, 0xaa);
    const auto swapped = identity::bip39::decode(words, entropy);
    ASSERT_FALSE(swapped);
    EXPECT_EQ(swapped.error().kind, identity::bip39::DecodeError::Kind::BadChecksum);
    EXPECT_EQ(entropy, std::vector<uint8_t>(32, 0));  // nothing half-decoded is left behind
    const auto two = identity::bip39::decode("abandon abandon", entropy);
    ASSERT_FALSE(two);
    EXPECT_EQ(two.error().kind, identity::bip39::DecodeError::Kind::WrongWordCount);
}

TEST_F(Identity, SecretBuffersAreZeroAfterWipe) {
    identity::SecretBuffer secret(32);
    identity::random_bytes(secret.span());
    bool any_nonzero = false;
    for (uint8_t byte : secret.bytes()) any_nonzero |= byte != 0;
    ASSERT_TRUE(any_nonzero);
    secret.wipe();
    for (uint8_t byte : secret.bytes()) EXPECT_EQ(byte, 0);

    auto key = identity::derive_person_key(hex(kTrezor[0].entropy));
    key.wipe();
    for (uint8_t byte : key.secret_for_tests().bytes()) EXPECT_EQ(byte, 0);
}

TEST_F(Identity, SignaturesVerifyStrictlyAndFailWhenAnythingChanges) {
    const auto key = identity::SigningKey::from_seed(hex(kTrezor[1].entropy));
    const std::vector<uint8_t> message = {1, 2, 3};
    auto signature = key.sign(message);
    EXPECT_TRUE(identity::verify(key.public_key(), message, signature));
    auto other = message;
    other[0] ^= 1;
    EXPECT_FALSE(identity::verify(key.public_key(), other, signature));
    signature.bytes[10] ^= 1;
    EXPECT_FALSE(identity::verify(key.public_key(), message, signature));
    identity::PublicKey zero;  // a small-order point: strict verification refuses it
    EXPECT_FALSE(identity::verify(zero, message, identity::Signature{}));
}

}  // namespace
