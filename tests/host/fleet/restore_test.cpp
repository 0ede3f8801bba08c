// This machine's own log is restored against the head it accepted: a rolled-back, forked or
// damaged copy is refused, and signatures are re-checked only past that head.
#include <gtest/gtest.h>

#include <variant>

#include "identity/fleet_log.h"

namespace {

using identity::FleetError;
using identity::FleetLog;
using identity::SigningKey;
using identity::StatementKind;

SigningKey key_from(uint8_t fill) {
    std::vector<uint8_t> seed(32, fill);
    return SigningKey::from_seed(seed);
}

class Restore : public ::testing::Test {
protected:
    static void SetUpTestSuite() { ASSERT_TRUE(identity::crypto_init()); }
    SigningKey person = key_from(1);
    FleetLog grown(int machines) {
        FleetLog log = FleetLog::create(person, 1000);
        for (int i = 0; i < machines; ++i)
            EXPECT_TRUE(log.append_new(StatementKind::MachineCertificate, key_from(static_cast<uint8_t>(10 + i)).public_key(),
                                        "m" + std::to_string(i), 1001 + i, person));
        return log;
    }
    static std::optional<FleetError> restore(const std::vector<identity::Statement>& statements, const identity::AcceptedHead& head) {
        auto result = FleetLog::restore(statements, head);
        if (!result) return result.error();
        return std::nullopt;
    }
};

TEST_F(Restore, TheLogThatWasAcceptedRestores) {
    const FleetLog log = grown(3);
    EXPECT_FALSE(restore(log.statements(), log.head()));
}

TEST_F(Restore, ARolledBackLogIsRefused) {
    const FleetLog log = grown(3);
    auto older = log.statements();
    older.pop_back();
    const auto failure = restore(older, log.head());
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind, FleetError::Kind::Rollback);
}

TEST_F(Restore, AForkAtTheHeadIsRefused) {
    const FleetLog log = grown(3);
    FleetLog other = grown(2);
    ASSERT_TRUE(other.append_new(StatementKind::MachineCertificate, key_from(99).public_key(), "other", 1010, person));
    const auto failure = restore(other.statements(), log.head());
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind, FleetError::Kind::Fork);
}

TEST_F(Restore, AnotherPersonsLogIsRefused) {
    const FleetLog log = grown(1);
    auto head = log.head();
    head.person = key_from(7).public_key();
    EXPECT_TRUE(restore(log.statements(), head));
}

TEST_F(Restore, StatementsPastTheHeadAreVerifiedInFull) {
    // A log longer than its head (a crash between writing the log and the head): the extra
    // statements were never accepted, so a forged one among them is refused.
    FleetLog log = grown(2);
    const auto head = log.head();
    ASSERT_TRUE(log.append_new(StatementKind::MachineCertificate, key_from(50).public_key(), "late", 1100, person));
    EXPECT_FALSE(restore(log.statements(), head));
    auto forged = log.statements();
    forged.back().signature.bytes[0] ^= 1;
    const auto failure = restore(forged, head);
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind, FleetError::Kind::BadSignature);
}

TEST_F(Restore, AChangedByteBeforeTheHeadBreaksTheChain) {
    const FleetLog log = grown(3);
    auto changed = log.statements();
    changed[1].time += 1;  // signatures below the head are not re-checked: the hash chain is
    EXPECT_TRUE(restore(changed, log.head()));
}

}  // namespace
