// Revocation reaches packages: a release by a machine revoked since stops counting for the
// version guard (its 1000.0.0 cannot block honest newer releases, while an honest release
// accepted before it still sets the floor), and a key in trusted-keys that the fleet revokes
// is no longer trusted.
#include "store_fixture.h"

namespace {

using namespace packages_test;

class Revocation : public StoreAndFetch {
protected:
    void SetUp() override {
        StoreAndFetch::SetUp();
        ASSERT_TRUE(fleet->append_new(identity::StatementKind::MachineCertificate, laptop.public_key(), "laptop", 1002, person));
    }
    files::Expected<packages::Fetched> fetch_release(const std::string& version, const identity::SigningKey& key) {
        release(version, manifest, key);
        MemorySource mirror(builder->root());
        warnings.clear();
        policy.warning = [this](const std::string& warning) { warnings.push_back(warning); };
        return packages::fetch_package(mirror, "demo", *receiver, policy);
    }
    std::vector<std::string> warnings;  // of the last fetch
    identity::SigningKey laptop = key(4);
    Sha256Digest manifest;
};

TEST_F(Revocation, ARevokedMachinesReleaseNoLongerBlocksHonestNewerOnes) {
    manifest = build();
    ASSERT_TRUE(fetch_release("1.5.0", machine).has_value());
    ASSERT_TRUE(fetch_release("1000.0.0", laptop).has_value());  // the laptop, stolen, before its revocation
    EXPECT_NE(error_of(fetch_release("2.0.0", machine)).find("rollback"), std::string::npos);
    ASSERT_TRUE(fleet->append_new(identity::StatementKind::Revocation, laptop.public_key(), "stolen", 1003, person));

    // Below the honest 1.5.0 accepted before the stolen release: still a rollback.
    auto result = fetch_release("1.0.0", machine);
    EXPECT_FALSE(result.has_value());
    EXPECT_NE(error_of(result).find("older than the accepted 1.5.0"), std::string::npos) << error_of(result);
    // The stolen release is flagged, and an honest newer release is accepted.
    result = fetch_release("2.0.0", machine);
    ASSERT_TRUE(result.has_value()) << error_of(result);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("1000.0.0 no longer counts"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("'laptop', which is revoked"), std::string::npos) << warnings[0];
    EXPECT_EQ(receiver->read_accepted("demo").value().value().version.text(), "2.0.0");
    // And from there on the floor is 2.0.0.
    EXPECT_NE(error_of(fetch_release("1.9.0", machine)).find("older than the accepted 2.0.0"), std::string::npos);
}

TEST_F(Revocation, TheSameVersionAsTheRevokedHeadCanBeReleasedHonestly) {
    manifest = build();
    ASSERT_TRUE(fetch_release("3.0.0", laptop).has_value());
    ASSERT_TRUE(fleet->append_new(identity::StatementKind::Revocation, laptop.public_key(), "stolen", 1003, person));
    const auto result = fetch_release("3.0.0", machine);  // re-signed by a machine that stands
    ASSERT_TRUE(result.has_value()) << error_of(result);
    EXPECT_FALSE(result->already_current);
    EXPECT_EQ(receiver->read_accepted("demo").value().value().signer, machine.public_key());
}

TEST_F(Revocation, AKeyInTrustedKeysThatTheFleetRevokesIsNoLongerTrusted) {
    manifest = build();
    policy.trusted_keys.push_back(laptop.public_key());
    ASSERT_TRUE(fetch_release("1.0.0", laptop).has_value());
    ASSERT_TRUE(fleet->append_new(identity::StatementKind::Revocation, laptop.public_key(), "stolen", 1003, person));
    const auto result = fetch_release("1.1.0", laptop);
    EXPECT_FALSE(result.has_value());
    EXPECT_NE(error_of(result).find("'laptop', which is revoked"), std::string::npos) << error_of(result);
    packages::Release release;
    release.signer = laptop.public_key();
    EXPECT_FALSE(packages::signer_is_trusted(release, &*fleet, policy.trusted_keys));
}

TEST_F(Revocation, ADamagedHistoryRefusesInsteadOfForgetting) {
    manifest = build();
    ASSERT_TRUE(fetch_release("1.0.0", machine).has_value());
    ASSERT_TRUE(fetch_release("2.0.0", machine).has_value());
    write(receiver->root() + "/history/demo", "garbage");
    const auto result = fetch_release("3.0.0", machine);
    EXPECT_FALSE(result.has_value());
    EXPECT_NE(error_of(result).find("damaged"), std::string::npos) << error_of(result);
}

}  // namespace
