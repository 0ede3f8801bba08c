// No copy of the 24 words or of the machine seed is left on the C++ heap by the ceremonies'
// secret paths. This executable replaces the global operator new/delete: every block is
// remembered, and every block freed is searched for the secret before it goes back to the
// allocator; at the end, every block still live is searched too.
// What it proves: reading the words (from a pipe, as a script would type them), parsing and
// decoding them, deriving the Person's key, and writing and reading the machine key file
// leave the secret in no block that operator new handed out — no growing std::string,
// istringstream buffer or std::vector copy, freed or live. What it does not see: malloc calls
// from C code (libsodium keeps its secrets in sodium_malloc pages, which it wipes), the stack,
// registers and the kernel's pipe and page-cache buffers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "commands/terminal.h"
#include "files/files.h"
#include "identity/bip39.h"
#include "identity/machine_key.h"
#include "identity/person.h"

namespace {

// Open addressing over block addresses; fixed size, no allocation of its own.
constexpr size_t kSlots = 1 << 18;
struct Block {
    void* address;
    size_t size;
};
Block blocks[kSlots];
bool watching = false;
const uint8_t* needles[64];
size_t needle_sizes[64];
size_t needle_count = 0;
size_t copies_found = 0;

size_t slot_of(void* address) { return (reinterpret_cast<uintptr_t>(address) >> 4) * 0x9e3779b97f4a7c15ull % kSlots; }

bool holds_a_needle(const void* data, size_t size) {
    for (size_t n = 0; n < needle_count; ++n)
        if (size >= needle_sizes[n] && memmem(data, size, needles[n], needle_sizes[n]) != nullptr) return true;
    return false;
}

void remember(void* address, size_t size) {
    for (size_t i = slot_of(address);; i = (i + 1) % kSlots)
        if (blocks[i].address == nullptr) {
            blocks[i] = {address, size};
            return;
        }
}

void forget(void* address) {
    if (address == nullptr) return;
    for (size_t i = slot_of(address), probes = 0; probes < kSlots; i = (i + 1) % kSlots, ++probes) {
        if (blocks[i].address != address) continue;
        if (watching && holds_a_needle(address, blocks[i].size)) ++copies_found;
        // Deletion in open addressing: re-insert the rest of the cluster.
        blocks[i] = {nullptr, 0};
        for (size_t j = (i + 1) % kSlots; blocks[j].address != nullptr; j = (j + 1) % kSlots) {
            const Block moved = blocks[j];
            blocks[j] = {nullptr, 0};
            remember(moved.address, moved.size);
        }
        return;
    }
}

size_t live_blocks_holding_a_needle() {
    size_t found = 0;
    for (const Block& block : blocks)
        if (block.address != nullptr && holds_a_needle(block.address, block.size)) ++found;
    return found;
}

}  // namespace

void* operator new(size_t size) {
    void* address = std::malloc(size ? size : 1);
    if (address == nullptr) throw std::bad_alloc();
    remember(address, size);
    return address;
}
void* operator new[](size_t size) { return operator new(size); }
void operator delete(void* address) noexcept {
    forget(address);
    std::free(address);
}
void operator delete[](void* address) noexcept { operator delete(address); }
void operator delete(void* address, size_t) noexcept { operator delete(address); }
void operator delete[](void* address, size_t) noexcept { operator delete(address); }

namespace {

class SecretCopies : public ::testing::Test {
protected:
    static void SetUpTestSuite() { ASSERT_TRUE(identity::crypto_init()); }
    void TearDown() override {
        watching = false;
        needle_count = 0;
        copies_found = 0;
    }
    // Watches for `secret` and for every 8-byte window of it.
    std::vector<std::vector<uint8_t>> kept;
    void watch(const std::string& secret) {
        kept.emplace_back(secret.begin(), secret.end());
        needles[needle_count] = kept.back().data();
        needle_sizes[needle_count++] = kept.back().size();
    }
};

TEST_F(SecretCopies, ReadingAndDecodingTheWordsLeavesNoHeapCopy) {
    std::vector<uint8_t> entropy(32);
    for (size_t i = 0; i < 32; ++i) entropy[i] = static_cast<uint8_t>(0xc3 ^ (i * 29));
    const std::string words = identity::bip39::encode(entropy);
    // Needles: each pair of neighbouring words (any copy of the text holds one), and the
    // entropy. Built before watching starts; `kept` reserves so the needles never move.
    kept.reserve(64);
    std::vector<std::string> list;
    for (size_t start = 0; start < words.size();) {
        size_t end = words.find(' ', start);
        if (end == std::string::npos) end = words.size();
        list.push_back(words.substr(start, end - start));
        start = end + 1;
    }
    for (size_t i = 0; i + 1 < list.size(); ++i) watch(list[i] + " " + list[i + 1]);
    watch(std::string(entropy.begin(), entropy.begin() + 16));
    // Typed as a script would: the numbered table over three lines, as a pipe.
    std::string typed;
    for (size_t i = 0; i < list.size(); ++i) typed += std::to_string(i + 1) + " " + list[i] + ((i + 1) % 8 == 0 ? "\n" : " ");
    int pipe_ends[2];
    ASSERT_EQ(pipe(pipe_ends), 0);
    ASSERT_EQ(write(pipe_ends[1], typed.data(), typed.size()), static_cast<ssize_t>(typed.size()));
    close(pipe_ends[1]);
    std::fill(typed.begin(), typed.end(), '\0');

    const size_t before = live_blocks_holding_a_needle();  // the test's own copies and needles
    watching = true;
    {
        commands::SecretText text;
        ASSERT_TRUE(commands::read_secret_words(pipe_ends[0], "", text));
        identity::SecretBuffer decoded(identity::bip39::kEntropySize);
        const auto result = identity::bip39::decode(text.view(), decoded.span());
        ASSERT_TRUE(result) << result.error().message();
        ASSERT_EQ(0, std::memcmp(decoded.data(), entropy.data(), 32));
        const auto key = identity::derive_person_key(decoded.bytes());
        (void)key.public_key();
    }
    close(pipe_ends[0]);
    EXPECT_EQ(copies_found, 0u) << "freed heap blocks held the words or the entropy";
    EXPECT_EQ(live_blocks_holding_a_needle(), before) << "a new live heap block holds the words";
}

TEST_F(SecretCopies, WritingAndReadingTheMachineKeyLeavesNoHeapCopy) {
    std::string seed(32, '\0');
    for (size_t i = 0; i < 32; ++i) seed[i] = static_cast<char>(0x5c ^ (i * 71));
    kept.reserve(8);
    watch(seed.substr(0, 16));
    watch(seed.substr(16, 16));
    char directory[] = "/tmp/vectra-secrets-XXXXXX";
    ASSERT_NE(mkdtemp(directory), nullptr);
    const std::string path = std::string(directory) + "/machine.key";
    const identity::Bytes seed_bytes(reinterpret_cast<const uint8_t*>(seed.data()), seed.size());
    const auto public_key = identity::SigningKey::from_seed(seed_bytes).public_key();

    const size_t before = live_blocks_holding_a_needle();
    watching = true;
    {
        const identity::SecretBuffer file = identity::encode_machine_key(seed_bytes, public_key);
        ASSERT_TRUE(files::write_file_atomically(path, file.bytes(), 0600));
        identity::SecretBuffer read(identity::kMachineKeyFileSize);
        const auto size = files::read_file_into(path, read.span());
        ASSERT_TRUE(size);
        const auto parsed = identity::parse_machine_key(identity::Bytes(read.data(), *size));
        ASSERT_TRUE(parsed) << parsed.error();
        EXPECT_EQ(parsed->public_key(), public_key);
    }
    watching = false;
    unlink(path.c_str());
    rmdir(directory);
    EXPECT_EQ(copies_found, 0u) << "freed heap blocks held the machine seed";
    EXPECT_EQ(live_blocks_holding_a_needle(), before) << "a new live heap block holds the machine seed";
}

}  // namespace
