// The freeze defence: when the Person grants a fleet machine the timestamp role, receivers
// require from every source a fresh timestamp signed by such a machine, listing the release
// served. A mirror withholding a newer release is caught once its timestamp expires; a
// replayed older timestamp and one from a machine without the grant are refused.
#include "store_fixture.h"

namespace {

using namespace packages_test;

class Freeze : public StoreAndFetch {
protected:
    void SetUp() override {
        StoreAndFetch::SetUp();
        ASSERT_TRUE(fleet->append_new(identity::StatementKind::MachineCertificate, clock.public_key(), "clock", 1002, person));
        ASSERT_TRUE(fleet->append_new(identity::StatementKind::TimestampGrant, clock.public_key(), "", 1003, person));
        policy.require_timestamp = packages::fleet_requires_timestamps(*fleet);
        manifest = build();
    }
    // What the clock machine signs over the builder's store: every release, the fleet head.
    void stamp(uint64_t issued, uint64_t lifetime, const identity::SigningKey& signer) {
        packages::Timestamp t;
        t.fleet_length = fleet->length();
        t.fleet_head = fleet->head_hash();
        t.issued = issued;
        t.expires = issued + lifetime;
        for (const auto& r : builder->releases()) t.packages.push_back({r.name, r.version, r.manifest});
        packages::sign_timestamp(t, signer);
        const auto encoded = t.encode();
        write(builder->root() + "/timestamp", std::string(encoded.begin(), encoded.end()));
    }
    files::Expected<packages::Fetched> fetch_at(uint64_t now, MemorySource& mirror) {
        policy.now = now;
        return packages::fetch_package(mirror, "demo", *receiver, policy);
    }
    identity::SigningKey clock = key(5);
    Sha256Digest manifest;
};

TEST_F(Freeze, TheGrantIsAFleetStatementThatLapsesWithRevocation) {
    EXPECT_TRUE(policy.require_timestamp);
    EXPECT_TRUE(fleet->machine_may_sign_timestamps(clock.public_key()));
    EXPECT_FALSE(fleet->machine_may_sign_timestamps(machine.public_key()));
    // Since when: the grant's statement and time, which fleet show prints.
    EXPECT_EQ(fleet->find_machine(clock.public_key())->timestamp_grant_sequence, fleet->length() - 1);
    EXPECT_EQ(fleet->find_machine(clock.public_key())->timestamp_grant_time, 1003u);
    EXPECT_FALSE(fleet->append_new(identity::StatementKind::TimestampGrant, stranger.public_key(), "", 1004, person));  // not enrolled
    EXPECT_FALSE(fleet->append_new(identity::StatementKind::TimestampGrant, clock.public_key(), "", 1004, person));  // twice
    // The log with the grant survives encoding and verification from scratch.
    auto again = identity::FleetLog::verify(fleet->statements(), person.public_key());
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->machine_may_sign_timestamps(clock.public_key()));
    ASSERT_TRUE(fleet->append_new(identity::StatementKind::Revocation, clock.public_key(), "stolen", 1005, person));
    EXPECT_FALSE(fleet->machine_may_sign_timestamps(clock.public_key()));
    EXPECT_FALSE(packages::fleet_requires_timestamps(*fleet));
}

TEST_F(Freeze, AWithholdingMirrorIsCaughtOnceItsTimestampExpires) {
    release("1.0.0", manifest, machine);
    stamp(10'000, 3600, clock);
    MemorySource frozen(builder->root());  // the mirror freezes here
    ASSERT_TRUE(fetch_at(10'100, frozen).has_value());
    write(source + "/README", "version two\n");
    release("2.0.0", build(), machine);
    stamp(12'000, 3600, clock);
    // Before the old timestamp expires the frozen mirror cannot be told from "nothing new"...
    auto result = fetch_at(12'100, frozen);
    EXPECT_TRUE(result.has_value() && result->already_current) << error_of(result);
    // ...after, it is refused, and the store is unchanged.
    policy.now = 13'601;
    const auto before = snapshot(receiver->root());
    result = packages::fetch_package(frozen, "demo", *receiver, policy);
    EXPECT_FALSE(result.has_value());
    EXPECT_NE(error_of(result).find("expired 1 s ago: this source may be withholding newer releases"), std::string::npos) << error_of(result);
    EXPECT_EQ(snapshot(receiver->root()), before);
    MemorySource honest(builder->root());
    result = fetch_at(13'601, honest);
    ASSERT_TRUE(result.has_value()) << error_of(result);
    EXPECT_EQ(result->release.version.text(), "2.0.0");
}

TEST_F(Freeze, AMirrorServingAnOlderReleaseThanItsTimestampListsIsRefused) {
    release("1.0.0", manifest, machine);
    MemorySource old_release(builder->root());
    write(source + "/README", "version two\n");
    release("2.0.0", build(), machine);
    stamp(10'000, 3600, clock);
    MemorySource current(builder->root());
    old_release.files["timestamp"] = current.files["timestamp"];  // a fresh timestamp, an old release
    policy.now = 10'100;
    expect_refused(old_release, "serves demo 1.0.0 but its timestamp lists 2.0.0 (withholding the newer release)");
}

TEST_F(Freeze, AReplayedOlderTimestampIsRefused) {
    release("1.0.0", manifest, machine);
    stamp(10'000, 7200, clock);
    MemorySource older(builder->root());
    stamp(11'000, 7200, clock);
    MemorySource newer(builder->root());
    ASSERT_TRUE(fetch_at(11'100, newer).has_value());
    policy.now = 11'200;  // the older one has not expired yet: only the replay rule catches it
    expect_refused(older, "older than the one accepted before (11000): a replayed statement");
}

TEST_F(Freeze, ATimestampFromAMachineNotAllowedIsRefused) {
    release("1.0.0", manifest, machine);
    policy.now = 10'100;
    stamp(10'000, 3600, machine);  // enrolled, but without the grant
    MemorySource ungranted(builder->root());
    expect_refused(ungranted, "which the Person has not allowed to sign timestamps");
    stamp(10'000, 3600, stranger);
    MemorySource unknown(builder->root());
    expect_refused(unknown, "not a machine of this fleet");
    stamp(10'000, 3600, clock);
    ASSERT_TRUE(fleet->append_new(identity::StatementKind::Revocation, clock.public_key(), "stolen", 1004, person));
    ASSERT_TRUE(fleet->append_new(identity::StatementKind::MachineCertificate, key(6).public_key(), "clock-2", 1005, person));
    ASSERT_TRUE(fleet->append_new(identity::StatementKind::TimestampGrant, key(6).public_key(), "", 1006, person));
    MemorySource revoked(builder->root());
    expect_refused(revoked, "'clock', which is revoked");
}

TEST_F(Freeze, NoTimestampAForgedOneOrAFleetHeadThisMachineLacksAreRefused) {
    release("1.0.0", manifest, machine);
    policy.now = 10'100;
    MemorySource none(builder->root());
    expect_refused(none, "this fleet requires a fresh timestamp from every source");
    stamp(10'000, 3600, clock);
    MemorySource forged(builder->root());
    forged.files["timestamp"][20] ^= 1;
    expect_refused(forged, "forged or altered");
    // The signer's log has a statement this receiver never got: the source withheld it.
    std::optional<identity::FleetLog> ours = *fleet;
    ASSERT_TRUE(fleet->append_new(identity::StatementKind::MachineCertificate, key(7).public_key(), "new", 1004, person));
    stamp(10'000, 3600, clock);
    policy.fleet = &*ours;
    MemorySource ahead(builder->root());
    expect_refused(ahead, "the source withholds fleet statements");
}

}  // namespace
