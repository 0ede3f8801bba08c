// The BIP39 English wordlist, compiled from bip39_english.txt (the published list; its
// SHA-256 is checked by the tests) by the build (see CMakeLists.txt).
#pragma once

#include <span>
#include <string_view>

namespace identity::bip39 {
std::span<const std::string_view> english_wordlist();
}
