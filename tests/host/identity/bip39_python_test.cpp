// Differential test against the BIP39 reference implementation (Debian's python3-mnemonic):
// random entropies must give the same words and the same seeds.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "identity/bip39.h"
#include "identity/crypto.h"

namespace {

std::string run(const std::string& command) {
    std::string output;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return output;
    char buffer[4096];
    while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    pclose(pipe);
    return output;
}

TEST(Bip39AgainstPythonMnemonic, RandomEntropiesGiveTheSameWordsAndSeeds) {
    ASSERT_TRUE(identity::crypto_init());
    std::string entropies;
    std::vector<std::string> ours;
    for (int i = 0; i < 50; ++i) {
        std::vector<uint8_t> entropy(32);
        identity::random_bytes(entropy);
        const std::string words = identity::bip39::encode(entropy);
        std::vector<uint8_t> seed(64);
        identity::bip39::mnemonic_to_seed(words, "pass " + std::to_string(i), seed);
        entropies += identity::to_hex(entropy) + " ";
        ours.push_back(words + "|" + identity::to_hex(seed));
    }
    // The Debian interpreter, where the package lives (a PATH python may not have it).
    const std::string script =
        "import sys\nfrom mnemonic import Mnemonic\nm = Mnemonic('english')\n"
        "for i, e in enumerate(sys.argv[1:]):\n"
        "    w = m.to_mnemonic(bytes.fromhex(e))\n"
        "    print(w + '|' + m.to_seed(w, 'pass ' + str(i)).hex())\n";
    const std::string output = run("/usr/bin/python3 -c \"" + script + "\" " + entropies);
    std::vector<std::string> theirs;
    size_t start = 0;
    while (start < output.size()) {
        const size_t end = output.find('\n', start);
        theirs.push_back(output.substr(start, end - start));
        start = end == std::string::npos ? output.size() : end + 1;
    }
    ASSERT_EQ(theirs.size(), ours.size()) << "python3-mnemonic did not answer: " << output;
    for (size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(ours[i], theirs[i]);
}

}  // namespace
