// Releases: a signed statement that name N at version V is the package with manifest hash H
// (docs/packages.md, "Release encoding v1"). Signed by a fleet machine (accepted while its
// certificate stands in the fleet log) or by a key the Person chose to trust.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "files/expected.h"
#include "identity/fleet_log.h"
#include "packages/manifest.h"

namespace packages {

struct Version {
    std::array<uint32_t, 3> parts{};  // major.minor.patch
    auto operator<=>(const Version&) const = default;
    std::string text() const;
    // MAJOR.MINOR.PATCH, each 1-9 decimal digits.
    [[nodiscard]] static files::Expected<Version> parse(std::string_view text);
};

struct Release {
    std::string name;  // 1-64 of [a-z0-9-], starting with a letter or digit
    Version version;
    Sha256Digest manifest;
    uint64_t time = 0;
    identity::PublicKey signer;
    identity::Signature signature;

    std::vector<uint8_t> signed_part() const;
    std::vector<uint8_t> encode() const;
};

inline constexpr size_t kMaxReleaseSize = 4 + 4 + 1 + 64 + 12 + 32 + 8 + 32 + 64;

void sign_release(Release& release, const identity::SigningKey& machine);
// Strict decoding plus the signature check (a release that parses is signed by its signer).
[[nodiscard]] files::Expected<Release> decode_release(Bytes bytes);

// Is the signer allowed? A machine whose certificate stands in `fleet`, or a trusted key;
// else the reason it is not.
[[nodiscard]] files::Expected<> signer_is_trusted(const Release& release, const identity::FleetLog* fleet,
                                                  const std::vector<identity::PublicKey>& trusted_keys);

}  // namespace packages
