#include "identity/machine_key.h"

#include <algorithm>
#include <cstring>


namespace identity {

SecretBuffer encode_machine_key(Bytes seed, const PublicKey& public_key) {
    SecretBuffer out(kMachineKeyFileSize);
    static constexpr uint8_t header[8] = {'V', 'X', 'M', 'K', 1, 0, 0, 0};
    std::copy_n(header, 8, out.data());
    std::copy_n(seed.data(), std::min<size_t>(seed.size(), kSeedSize), out.data() + 8);
    std::copy_n(public_key.bytes.data(), kPublicKeySize, out.data() + 8 + kSeedSize);
    return out;
}

files::Expected<SigningKey> parse_machine_key(Bytes bytes) {
    if (bytes.size() != kMachineKeyFileSize) return files::failure("machine key file has the wrong size");
    if (std::memcmp(bytes.data(), "VXMK\1\0\0\0", 8) != 0) return files::failure("not a machine key file (bad magic or version)");
    SigningKey key = SigningKey::from_seed(bytes.subspan(8, kSeedSize));
    PublicKey stored;
    std::memcpy(stored.bytes.data(), bytes.data() + 8 + kSeedSize, kPublicKeySize);
    if (key.public_key() != stored) return files::failure("machine key file is corrupt: its public key does not match its secret");
    return key;
}

}  // namespace identity
