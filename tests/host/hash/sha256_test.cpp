// lib/hash SHA-256: the NIST example vectors, then differential tests against OpenSSL and
// libsodium over random inputs, every split point of incremental updates, and reuse.
#include "hash/sha256.h"

#include <gtest/gtest.h>
#include <openssl/sha.h>
#include <sodium.h>

#include <random>
#include <string>
#include <vector>

namespace {

using hash::Sha256;
using hash::Sha256Digest;

base::Span<const base::u8> bytes_of(const std::string& text) {
    return {reinterpret_cast<const base::u8*>(text.data()), text.size()};
}
base::Span<const base::u8> bytes_of(const std::vector<base::u8>& data) { return {data.data(), data.size()}; }

std::string hex(const Sha256Digest& digest) {
    char out[hash::sha256_hex_size];
    hash::to_hex(digest, out);
    return std::string(out, sizeof out);
}

Sha256Digest openssl_sha256(const std::vector<base::u8>& data) {
    Sha256Digest digest;
    SHA256(data.data(), data.size(), digest.bytes);
    return digest;
}

Sha256Digest sodium_sha256(const std::vector<base::u8>& data) {
    Sha256Digest digest;
    crypto_hash_sha256(digest.bytes, data.data(), data.size());
    return digest;
}

std::vector<base::u8> random_bytes(std::mt19937_64& random, size_t size) {
    std::vector<base::u8> data(size);
    for (auto& byte : data) byte = static_cast<base::u8>(random());
    return data;
}

// FIPS 180-4 examples (NIST's "SHA256.pdf" and the CAVP short and long message vectors).
TEST(Sha256, MatchesTheNistExampleVectors) {
    EXPECT_EQ(hex(Sha256::digest(bytes_of(std::string("")))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(hex(Sha256::digest(bytes_of(std::string("abc")))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hex(Sha256::digest(bytes_of(std::string("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(hex(Sha256::digest(bytes_of(std::string("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                                                      "klmnopqrlmnopqrsmnopqrstnopqrstu")))),
              "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    // CAVP SHA256ShortMsg: one byte 0xd3, and the 64-byte message that fills exactly one block.
    EXPECT_EQ(hex(Sha256::digest(bytes_of(std::vector<base::u8>{0xd3}))), "28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6f2ba9802c1");
}

TEST(Sha256, HashesOneMillionLettersAInAnyChunking) {
    const std::string million(1'000'000, 'a');
    const std::string expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    EXPECT_EQ(hex(Sha256::digest(bytes_of(million))), expected);
    Sha256 hasher;
    for (size_t offset = 0; offset < million.size(); offset += 997)
        hasher.update(bytes_of(million).subspan(offset, 997));
    EXPECT_EQ(hex(hasher.finish()), expected);
}

TEST(Sha256, AgreesWithOpenSslAndLibsodiumOnRandomInputsUpToSeveralKiB) {
    ASSERT_GE(sodium_init(), 0);
    std::mt19937_64 random(20240601);
    // Every length across the padding boundaries of the first blocks, then random lengths.
    std::vector<size_t> lengths;
    for (size_t length = 0; length <= 300; ++length) lengths.push_back(length);
    for (int i = 0; i < 400; ++i) lengths.push_back(random() % (8 * 1024 + 1));
    for (size_t length : lengths) {
        const auto data = random_bytes(random, length);
        const Sha256Digest ours = Sha256::digest(bytes_of(data));
        ASSERT_EQ(ours, openssl_sha256(data)) << "length " << length;
        ASSERT_EQ(ours, sodium_sha256(data)) << "length " << length;
    }
}

TEST(Sha256, GivesTheSameDigestForEverySplitIntoTwoUpdates) {
    std::mt19937_64 random(7);
    for (size_t length : {0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 200, 1000}) {
        const auto data = random_bytes(random, length);
        const Sha256Digest expected = openssl_sha256(data);
        for (size_t split = 0; split <= length; ++split) {
            Sha256 hasher;
            hasher.update(bytes_of(data).first(split));
            hasher.update(bytes_of(data).subspan(split));
            ASSERT_EQ(hasher.finish(), expected) << "length " << length << " split at " << split;
        }
    }
}

TEST(Sha256, GivesTheSameDigestForEverySplitIntoThreeUpdates) {
    std::mt19937_64 random(11);
    for (size_t length : {0, 64, 130, 200}) {
        const auto data = random_bytes(random, length);
        const Sha256Digest expected = openssl_sha256(data);
        for (size_t first = 0; first <= length; ++first)
            for (size_t second = first; second <= length; ++second) {
                Sha256 hasher;
                hasher.update(bytes_of(data).subspan(0, first));
                hasher.update(bytes_of(data).subspan(first, second - first));
                hasher.update(bytes_of(data).subspan(second));
                ASSERT_EQ(hasher.finish(), expected) << "length " << length << " splits " << first << "," << second;
            }
    }
}

TEST(Sha256, HashesOneByteAtATimeAndWithEmptyUpdates) {
    std::mt19937_64 random(3);
    const auto data = random_bytes(random, 3000);
    Sha256 hasher;
    for (size_t i = 0; i < data.size(); ++i) {
        hasher.update(bytes_of(data).subspan(i, 1));
        hasher.update({});
    }
    EXPECT_EQ(hasher.finish(), openssl_sha256(data));
}

TEST(Sha256, FinishResetsTheHasherForTheNextMessage) {
    Sha256 hasher;
    hasher.update(bytes_of(std::string("something else first")));
    (void)hasher.finish();
    hasher.update(bytes_of(std::string("abc")));
    EXPECT_EQ(hex(hasher.finish()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hex(hasher.finish()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, HexRoundTripsAndRefusesBadText) {
    const Sha256Digest digest = Sha256::digest(bytes_of(std::string("abc")));
    const std::string text = hex(digest);
    auto parsed = hash::parse_hex(base::StringView(text.data(), text.size()));
    ASSERT_TRUE(parsed.is_ok());
    EXPECT_EQ(parsed.value(), digest);
    std::string upper = text;
    for (char& c : upper) c = static_cast<char>(toupper(c));
    ASSERT_TRUE(hash::parse_hex(base::StringView(upper.data(), upper.size())).is_ok());
    EXPECT_EQ(hash::parse_hex(base::StringView(text.data(), 63)).error().code, base::ErrorCode::Malformed);
    std::string bad = text;
    bad[10] = 'g';
    EXPECT_EQ(hash::parse_hex(base::StringView(bad.data(), bad.size())).error().code, base::ErrorCode::Malformed);
}

}  // namespace
