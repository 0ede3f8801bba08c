// Syncing the fleet log from a mirror: only what follows this machine's head is read; every
// lie a mirror can tell — another Person, a fork, a forged or torn head, forged, truncated,
// reordered or missing segments — is refused by name, and a mirror behind us is not taken.
#include <gtest/gtest.h>

#include <map>
#include <variant>

#include "identity/fleet_mirror.h"
#include "identity/fleet_state.h"

namespace {

using identity::FleetError;
using identity::FleetLog;
using identity::SigningKey;
using identity::StatementKind;
using identity::SyncOutcome;

SigningKey key_from(uint32_t n) {
    std::vector<uint8_t> seed(32, 0);
    for (int i = 0; i < 4; ++i) seed[i] = static_cast<uint8_t>(n >> (8 * i));
    seed[31] = 0x5a;
    return SigningKey::from_seed(seed);
}

struct Mirror {
    std::map<std::string, std::vector<uint8_t>> files;
    std::vector<std::string> requested;
    identity::Fetch fetch() {
        return [this](const std::string& path, size_t limit) -> std::expected<std::vector<uint8_t>, identity::FetchFailure> {
            requested.push_back(path);
            const auto it = files.find(path);
            if (it == files.end()) return std::unexpected(identity::FetchFailure{"mirror/" + path + ": no such file", true});
            if (it->second.size() > limit) return std::unexpected(identity::FetchFailure{"mirror/" + path + ": too large", false});
            return it->second;
        }; 
    }
    void publish(const FleetLog& log) {
        for (auto& [path, bytes] : identity::mirror_files(log)) files[path] = bytes;
    }
};

class MirrorSync : public ::testing::Test {
protected:
    static void SetUpTestSuite() { ASSERT_TRUE(identity::crypto_init()); }
    SigningKey person = key_from(1);
    FleetLog grown(uint32_t machines, uint32_t first = 100) {
        FleetLog log = FleetLog::create(person, 1000);
        extend(log, machines, first);
        return log;
    }
    void extend(FleetLog& log, uint32_t machines, uint32_t first) {
        for (uint32_t i = 0; i < machines; ++i)
            ASSERT_TRUE(log.append_new(StatementKind::MachineCertificate, key_from(first + i).public_key(),
                                        "m" + std::to_string(first + i), 1001 + i, person));
    }
    // A copy of `log`'s first `length` statements.
    FleetLog prefix(const FleetLog& log, uint64_t length) {
        std::vector<identity::Statement> statements(log.statements().begin(), log.statements().begin() + static_cast<long>(length));
        return FleetLog::verify(statements, person.public_key()).value();
    }
    std::expected<SyncOutcome, FleetError> sync(FleetLog& log, Mirror& mirror) {
        return identity::sync_from_mirror(log, mirror.fetch(), "mirror");
    }
};

TEST_F(MirrorSync, OnlyTheSegmentsPastTheHeadAreRead) {
    const FleetLog full = grown(1000);  // 1001 statements: segments 0-3
    Mirror mirror;
    mirror.publish(full);
    FleetLog ours = prefix(full, 900);  // inside segment 3
    const auto outcome = sync(ours, mirror);
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(outcome->state, SyncOutcome::State::Extended);
    EXPECT_EQ(outcome->new_statements, 101u);
    EXPECT_EQ(ours.head_hash(), full.head_hash());
    EXPECT_EQ(mirror.requested, (std::vector<std::string>{"fleet/head", "fleet/segments/3"}));
}

TEST_F(MirrorSync, AnUpToDateMachineReadsOnlyTheHead) {
    const FleetLog full = grown(300);
    Mirror mirror;
    mirror.publish(full);
    FleetLog ours = prefix(full, full.length());
    const auto outcome = sync(ours, mirror);
    ASSERT_TRUE(outcome);
    EXPECT_EQ(outcome->state, SyncOutcome::State::UpToDate);
    EXPECT_EQ(mirror.requested.size(), 1u);
}

TEST_F(MirrorSync, AWholeLogIsFetchedAndVerifiedForAJoin) {
    const FleetLog full = grown(600);
    Mirror mirror;
    mirror.publish(full);
    const auto fetched = identity::fetch_log(mirror.fetch(), nullptr, "mirror");
    ASSERT_TRUE(fetched) << fetched.error().message;
    EXPECT_EQ(fetched->head_hash(), full.head_hash());
    // With the wrong Person named, refused.
    const auto other = key_from(2).public_key();
    EXPECT_FALSE(identity::fetch_log(mirror.fetch(), &other, "mirror"));
}

TEST_F(MirrorSync, PublishingIncrementallyRewritesOnlyTheLastSegmentAndTheHead) {
    const FleetLog full = grown(600);
    const auto files = identity::mirror_files(full, 550);
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0].first, "fleet/segments/2");
    EXPECT_EQ(files[1].first, "fleet/head");
}

TEST_F(MirrorSync, AMirrorBehindUsIsNotTakenAndNotAnError) {
    const FleetLog full = grown(40);
    Mirror mirror;
    mirror.publish(prefix(full, 20));
    FleetLog ours = prefix(full, 41);
    const auto outcome = sync(ours, mirror);
    ASSERT_TRUE(outcome);
    EXPECT_EQ(outcome->state, SyncOutcome::State::MirrorBehind);
    EXPECT_EQ(ours.length(), 41u);
}

TEST_F(MirrorSync, AForkSignedByThePersonIsNamedAFork) {
    FleetLog theirs = grown(10);
    FleetLog ours = prefix(theirs, 5);
    extend(theirs, 5, 500);
    extend(ours, 3, 900);  // our own statements 5-7: the two logs diverge at 5
    Mirror mirror;
    mirror.publish(theirs);
    const uint64_t before = ours.length();
    const auto outcome = sync(ours, mirror);
    ASSERT_FALSE(outcome);
    EXPECT_EQ(outcome.error().kind, FleetError::Kind::Fork) << outcome.error().message;
    EXPECT_EQ(ours.length(), before);

    // Also when the fork starts exactly on a segment boundary (no overlap to compare).
    FleetLog long_theirs = grown(300);
    FleetLog long_ours = prefix(long_theirs, 256);
    extend(long_theirs, 10, 5000);
    FleetLog forked = prefix(long_theirs, 255);
    extend(forked, 1, 7000);  // a different statement 255
    Mirror boundary;
    boundary.publish(long_theirs);
    const auto split = sync(forked, boundary);
    ASSERT_FALSE(split);
    EXPECT_EQ(split.error().kind, FleetError::Kind::Fork) << split.error().message;
}

TEST_F(MirrorSync, AnotherPersonsFleetIsRefused) {
    Mirror mirror;
    SigningKey stranger = key_from(77);
    mirror.publish(FleetLog::create(stranger, 5));
    FleetLog ours = grown(1);
    const auto outcome = sync(ours, mirror);
    ASSERT_FALSE(outcome);
    EXPECT_EQ(outcome.error().kind, FleetError::Kind::WrongPerson);
}

TEST_F(MirrorSync, EveryTamperingIsRefusedAndNamesWhere) {
    const FleetLog full = grown(700);  // segments 0-2
    struct Case {
        const char* what;
        std::function<void(Mirror&)> tamper;
    };
    const std::vector<Case> cases = {
        {"a forged signature", [](Mirror& m) { m.files["fleet/segments/2"][200] ^= 1; }},
        {"a truncated segment", [](Mirror& m) { auto& s = m.files["fleet/segments/2"]; s.resize(s.size() - 300); }},
        {"a missing segment", [](Mirror& m) { m.files.erase("fleet/segments/1"); }},
        {"a head claiming more", [&](Mirror& m) {
             auto head = full.head();
             head.length += 1;
             m.files["fleet/head"] = identity::encode_head(head);
         }},
        {"a head naming another last hash", [&](Mirror& m) {
             auto head = full.head();
             head.last_hash.bytes[0] ^= 1;
             m.files["fleet/head"] = identity::encode_head(head);
         }},
        {"a damaged head", [](Mirror& m) { m.files["fleet/head"].resize(10); }},
        {"an absurd length", [&](Mirror& m) {
             auto head = full.head();
             head.length = 1ull << 60;
             m.files["fleet/head"] = identity::encode_head(head);
         }},
        {"segments swapped", [](Mirror& m) { std::swap(m.files["fleet/segments/1"], m.files["fleet/segments/2"]); }},
        {"an endless segment", [](Mirror& m) { m.files["fleet/segments/2"].resize(identity::kMaxSegmentSize + 1); }},
    };
    for (const auto& c : cases) {
        Mirror mirror;
        mirror.publish(full);
        c.tamper(mirror);
        FleetLog ours = prefix(full, 300);
        const auto outcome = sync(ours, mirror);
        EXPECT_FALSE(outcome) << c.what << " was accepted";
        if (!outcome) EXPECT_NE(outcome.error().message.find("mirror"), std::string::npos) << c.what << ": " << outcome.error().message;
        // Nothing was saved in this test; a real command saves only on success. The in-memory
        // log may only have grown by verified statements of the real log.
        EXPECT_EQ(ours.hash_at(ours.length() - 1), full.hash_at(ours.length() - 1)) << c.what;
    }
}

TEST_F(MirrorSync, TheFleetMirrorPathsAreExactlyTheLayout) {
    EXPECT_TRUE(identity::is_fleet_mirror_path("fleet/head"));
    EXPECT_TRUE(identity::is_fleet_mirror_path("fleet/segments/0"));
    EXPECT_TRUE(identity::is_fleet_mirror_path("fleet/segments/390"));
    for (const char* bad : {"fleet/segments/", "fleet/segments/01", "fleet/segments/1/../../machine.key", "fleet/heads", "fleet/segments/x",
                            "fleet.log", "fleet/segments/99999999999999999999"})
        EXPECT_FALSE(identity::is_fleet_mirror_path(bad)) << bad;
}

}  // namespace

namespace {

// fleet.state: a log resumed from its saved state takes what a mirror adds exactly as the
// whole log would, refuses what the whole log refuses, and asks for the whole log (a refusal)
// where it lacks a statement; the saved bytes are checked before anything is believed.
class ResumedSync : public MirrorSync {
protected:
    FleetLog resumed(const FleetLog& log) {
        const identity::SavedState saved{log.verified_state(identity::kSegmentStatements), 1234, 200};
        const auto bytes = identity::encode_saved_state(saved);
        auto parsed = identity::parse_saved_state(bytes);
        EXPECT_TRUE(parsed) << parsed.error();
        auto log_again = FleetLog::resume(parsed->state);
        EXPECT_TRUE(log_again) << log_again.error().message;
        return std::move(*log_again);
    }
};

TEST_F(ResumedSync, AResumedLogTakesWhatFollowsAsTheWholeLogDoes) {
    FleetLog full = grown(700);  // 701 statements
    ASSERT_TRUE(full.append_new(StatementKind::Revocation, key_from(150).public_key(), "lost", 2000, person));
    ASSERT_TRUE(full.append_new(StatementKind::TimestampGrant, key_from(700).public_key(), "", 2001, person));
    Mirror mirror;
    mirror.publish(full);
    FleetLog whole = prefix(full, 650), ours = resumed(whole);
    EXPECT_EQ(ours.length(), 650u);
    EXPECT_FALSE(ours.holds_hash(511));  // before the head's segment: not kept
    EXPECT_TRUE(ours.holds_hash(512));
    const auto outcome = sync(ours, mirror);
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(outcome->state, SyncOutcome::State::Extended);
    ASSERT_TRUE(sync(whole, mirror));
    EXPECT_EQ(ours.head_hash(), full.head_hash());
    EXPECT_EQ(ours.statements().size(), full.length() - 650);  // only what is new is held
    EXPECT_EQ(ours.timestamp_signers(), 1u);
    const auto machines = ours.machines(), expected = full.machines();
    ASSERT_EQ(machines.size(), expected.size());
    for (size_t i = 0; i < machines.size(); ++i) {
        EXPECT_EQ(machines[i].key, expected[i].key);
        EXPECT_EQ(machines[i].name, expected[i].name);
        EXPECT_EQ(machines[i].revoked, expected[i].revoked);
        EXPECT_EQ(machines[i].revocation_reason, expected[i].revocation_reason);
        EXPECT_EQ(machines[i].may_sign_timestamps, expected[i].may_sign_timestamps);
    }
    // What the whole log refuses, the resumed one refuses: a key or a name enrolled long before
    // the window, a revoked machine revoked again.
    FleetLog again = resumed(full);
    EXPECT_FALSE(again.append_new(StatementKind::MachineCertificate, key_from(100).public_key(), "fresh", 3000, person));
    EXPECT_FALSE(again.append_new(StatementKind::MachineCertificate, key_from(9999).public_key(), "m101", 3000, person));
    EXPECT_FALSE(again.append_new(StatementKind::Revocation, key_from(150).public_key(), "twice", 3000, person));
    EXPECT_TRUE(again.append_new(StatementKind::MachineCertificate, key_from(9999).public_key(), "m150", 3000, person));  // freed
}

TEST_F(ResumedSync, WhereItLacksAStatementItRefusesSoTheWholeLogDecides) {
    const FleetLog full = grown(700);
    Mirror behind;
    behind.publish(prefix(full, 300));  // older than our window
    FleetLog ours = resumed(full);
    EXPECT_FALSE(sync(ours, behind));
    FleetLog whole = prefix(full, full.length());
    const auto outcome = sync(whole, behind);
    ASSERT_TRUE(outcome);
    EXPECT_EQ(outcome->state, SyncOutcome::State::MirrorBehind);
}

TEST_F(ResumedSync, ADamagedOrInconsistentSavedStateIsRefused) {
    const FleetLog full = grown(300);
    identity::SavedState saved{full.verified_state(identity::kSegmentStatements), 1234, 200};
    const auto bytes = identity::encode_saved_state(saved);
    for (size_t i = 0; i < bytes.size(); i += 7) {
        auto flipped = bytes;
        flipped[i] ^= 0x10;
        EXPECT_FALSE(identity::parse_saved_state(flipped)) << "byte " << i;
    }
    EXPECT_FALSE(identity::parse_saved_state(identity::Bytes(bytes).first(bytes.size() - 1)));
    saved.state.window_hashes.back().bytes[0] ^= 1;  // the window does not end at the head
    EXPECT_FALSE(FleetLog::resume(saved.state));
}

}  // namespace
