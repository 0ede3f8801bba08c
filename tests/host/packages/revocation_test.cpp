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
        ASSERT_FALSE(fleet->append_new(identity::StatementKind::MachineCertificate, laptop.public_key(), "laptop", 1002, person));
    }
    packages::FetchResult fetch_release(const std::string& version, const identity::SigningKey& key) {
        release(version, manifest, key);
        MemorySource mirror(builder->root());
        return packages::fetch_package(mirror, "demo", *receiver, policy);
    }
    identity::SigningKey laptop = key(4);
    Sha256Digest manifest;
};

TEST_F(Revocation, ARevokedMachinesReleaseNoLongerBlocksHonestNewerOnes) {
    manifest = build();
    ASSERT_TRUE(fetch_release("1.5.0", machine).ok);
    ASSERT_TRUE(fetch_release("1000.0.0", laptop).ok);  // the laptop, stolen, before its revocation
    EXPECT_NE(fetch_release("2.0.0", machine).error.find("rollback"), std::string::npos);
    ASSERT_FALSE(fleet->append_new(identity::StatementKind::Revocation, laptop.public_key(), "stolen", 1003, person));

    // Below the honest 1.5.0 accepted before the stolen release: still a rollback.
    auto result = fetch_release("1.0.0", machine);
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("older than the accepted 1.5.0"), std::string::npos) << result.error;
    // The stolen release is flagged, and an honest newer release is accepted.
    result = fetch_release("2.0.0", machine);
    ASSERT_TRUE(result.ok) << result.error;
    ASSERT_EQ(result.warnings.size(), 1u);
    EXPECT_NE(result.warnings[0].find("1000.0.0 no longer counts"), std::string::npos) << result.warnings[0];
    EXPECT_NE(result.warnings[0].find("'laptop', which is revoked"), std::string::npos) << result.warnings[0];
    EXPECT_EQ(receiver->accepted_release("demo")->version.text(), "2.0.0");
    // And from there on the floor is 2.0.0.
    EXPECT_NE(fetch_release("1.9.0", machine).error.find("older than the accepted 2.0.0"), std::string::npos);
}

TEST_F(Revocation, TheSameVersionAsTheRevokedHeadCanBeReleasedHonestly) {
    manifest = build();
    ASSERT_TRUE(fetch_release("3.0.0", laptop).ok);
    ASSERT_FALSE(fleet->append_new(identity::StatementKind::Revocation, laptop.public_key(), "stolen", 1003, person));
    const auto result = fetch_release("3.0.0", machine);  // re-signed by a machine that stands
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_FALSE(result.already_current);
    EXPECT_EQ(receiver->accepted_release("demo")->signer, machine.public_key());
}

TEST_F(Revocation, AKeyInTrustedKeysThatTheFleetRevokesIsNoLongerTrusted) {
    manifest = build();
    policy.trusted_keys.push_back(laptop.public_key());
    ASSERT_TRUE(fetch_release("1.0.0", laptop).ok);
    ASSERT_FALSE(fleet->append_new(identity::StatementKind::Revocation, laptop.public_key(), "stolen", 1003, person));
    const auto result = fetch_release("1.1.0", laptop);
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("'laptop', which is revoked"), std::string::npos) << result.error;
    std::string why_not;
    packages::Release release;
    release.signer = laptop.public_key();
    EXPECT_FALSE(packages::signer_is_trusted(release, &*fleet, policy.trusted_keys, why_not));
}

TEST_F(Revocation, ADamagedHistoryRefusesInsteadOfForgetting) {
    manifest = build();
    ASSERT_TRUE(fetch_release("1.0.0", machine).ok);
    ASSERT_TRUE(fetch_release("2.0.0", machine).ok);
    write(receiver->root() + "/history/demo", "garbage");
    const auto result = fetch_release("3.0.0", machine);
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("damaged"), std::string::npos) << result.error;
}

}  // namespace
