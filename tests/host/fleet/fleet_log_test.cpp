// Fleet log rules: every refusal the log must make, a tamper sweep over every byte of a log
// file, merging and rollback, and what revocation does to a machine's authority.
#include <gtest/gtest.h>

#include <variant>

#include "identity/fleet_log.h"
#include "identity/machine_key.h"

namespace {

using identity::FleetError;
using identity::FleetLog;
using identity::SigningKey;
using identity::Statement;
using identity::StatementKind;

SigningKey key_from(uint8_t fill) {
    std::vector<uint8_t> seed(32, fill);
    return SigningKey::from_seed(seed);
}

class Fleet : public ::testing::Test {
protected:
    static void SetUpTestSuite() { ASSERT_TRUE(identity::crypto_init()); }
    SigningKey person = key_from(1);
    SigningKey laptop = key_from(2);
    SigningKey phone = key_from(3);

    // genesis, laptop, phone, revoke phone
    FleetLog sample() {
        FleetLog log = FleetLog::create(person, 1000);
        EXPECT_TRUE(log.append_new(StatementKind::MachineCertificate, laptop.public_key(), "laptop", 1001, person));
        EXPECT_TRUE(log.append_new(StatementKind::MachineCertificate, phone.public_key(), "phone", 1002, person));
        EXPECT_TRUE(log.append_new(StatementKind::Revocation, phone.public_key(), "stolen", 1003, person));
        return log;
    }
    std::optional<FleetError> verify(const std::vector<Statement>& statements) {
        auto result = FleetLog::verify(statements, person.public_key());
        if (!result) return result.error();
        return std::nullopt;
    }
};

TEST_F(Fleet, AValidLogVerifiesAndListsMachinesWithRevocations) {
    const FleetLog log = sample();
    EXPECT_FALSE(verify(log.statements()));
    const auto machines = log.machines();
    ASSERT_EQ(machines.size(), 2u);
    EXPECT_EQ(machines[0].name, "laptop");
    EXPECT_FALSE(machines[0].revoked);
    EXPECT_TRUE(machines[1].revoked);
    EXPECT_EQ(machines[1].revocation_reason, "stolen");
}

TEST_F(Fleet, RevocationCutsOffWhatAMachineMaySign) {
    FleetLog log = FleetLog::create(person, 1000);
    EXPECT_FALSE(log.machine_may_sign(phone.public_key()));  // unknown
    ASSERT_TRUE(log.append_new(StatementKind::MachineCertificate, phone.public_key(), "phone", 1001, person));
    EXPECT_TRUE(log.machine_may_sign(phone.public_key()));
    ASSERT_TRUE(log.append_new(StatementKind::Revocation, phone.public_key(), "", 1002, person));
    EXPECT_FALSE(log.machine_may_sign(phone.public_key()));
    // And it cannot come back under the same key.
    auto again = log.append_new(StatementKind::MachineCertificate, phone.public_key(), "phone2", 1003, person);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().kind, FleetError::Kind::AlreadyRevoked);
}

TEST_F(Fleet, AForgedOrWrongKeySignatureIsRefused) {
    auto statements = sample().statements();
    identity::sign_statement(statements[1], laptop);  // signed by a machine, not the Person
    auto failure = verify(statements);
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind, FleetError::Kind::BadSignature);
    EXPECT_EQ(failure->sequence, 1u);

    auto other_person = FleetLog::create(key_from(9), 1000).statements();
    failure = verify(other_person);
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind, FleetError::Kind::WrongPerson);
}

TEST_F(Fleet, ABrokenHashChainIsRefused) {
    auto statements = sample().statements();
    statements[2].previous.bytes[0] ^= 1;
    identity::sign_statement(statements[2], person);  // even re-signed by the Person
    auto failure = verify(statements);
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind, FleetError::Kind::BrokenChain);
    EXPECT_EQ(failure->sequence, 2u);
}

TEST_F(Fleet, GapsDuplicatesAndReorderingAreRefused) {
    auto statements = sample().statements();
    auto gap = statements;
    gap.erase(gap.begin() + 1);
    auto failure = verify(gap);
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind, FleetError::Kind::SequenceGap);

    auto duplicate = statements;
    duplicate.insert(duplicate.begin() + 2, statements[1]);
    failure = verify(duplicate);
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind, FleetError::Kind::SequenceDuplicate);

    auto reordered = statements;
    std::swap(reordered[1], reordered[2]);
    failure = verify(reordered);
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind, FleetError::Kind::SequenceGap);
}

TEST_F(Fleet, RevokingUnknownOrTwiceAndEnrollingTwiceAreRefused) {
    FleetLog log = sample();
    auto refused = log.append_new(StatementKind::Revocation, key_from(7).public_key(), "", 2000, person);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, FleetError::Kind::UnknownMachine);
    refused = log.append_new(StatementKind::Revocation, phone.public_key(), "", 2000, person);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, FleetError::Kind::AlreadyRevoked);
    refused = log.append_new(StatementKind::MachineCertificate, laptop.public_key(), "laptop2", 2000, person);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, FleetError::Kind::DuplicateMachine);
    refused = log.append_new(StatementKind::MachineCertificate, key_from(8).public_key(), "laptop", 2000, person);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, FleetError::Kind::DuplicateMachine);
    EXPECT_EQ(log.length(), 4u);  // nothing refused was appended
}

TEST_F(Fleet, MergingExtendsAPrefixAndRefusesAFork) {
    FleetLog short_log = FleetLog::create(person, 1000);
    ASSERT_TRUE(short_log.append_new(StatementKind::MachineCertificate, laptop.public_key(), "laptop", 1001, person));
    const FleetLog long_log = sample();
    FleetLog extended = short_log;
    EXPECT_TRUE(extended.merge(long_log));
    EXPECT_EQ(extended.length(), 4u);
    EXPECT_EQ(extended.head_hash(), long_log.head_hash());

    FleetLog forked = short_log;
    ASSERT_TRUE(forked.append_new(StatementKind::MachineCertificate, key_from(5).public_key(), "tablet", 1002, person));
    auto merged = forked.merge(long_log);
    ASSERT_FALSE(merged);
    EXPECT_EQ(merged.error().kind, FleetError::Kind::Fork);
    EXPECT_EQ(merged.error().sequence, 2u);
}

TEST_F(Fleet, ALogShorterThanTheAcceptedHeadIsARollback) {
    const FleetLog full = sample();
    const auto accepted = full.head();
    auto shorter_statements = full.statements();
    shorter_statements.pop_back();
    auto shorter = FleetLog::verify(shorter_statements, person.public_key());
    ASSERT_TRUE(shorter);
    auto checked = shorter->check_against(accepted);
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().kind, FleetError::Kind::Rollback);
    EXPECT_TRUE(full.check_against(accepted));
}

TEST_F(Fleet, FlippingAnyByteOfALogFileIsRefused) {
    const auto bytes = identity::encode_log(sample().statements());
    for (size_t i = 0; i < bytes.size(); ++i) {
        for (uint8_t flip : {uint8_t(0x01), uint8_t(0x80)}) {
            auto tampered = bytes;
            tampered[i] ^= flip;
            const auto parsed = identity::parse_log(tampered);
            if (!parsed) continue;  // refused while parsing
            EXPECT_TRUE(verify(*parsed)) << "byte " << i << " flipped with " << int(flip) << " was accepted";
        }
    }
}

TEST_F(Fleet, StatementsHaveExactlyOneEncoding) {
    const auto statement = sample().statements()[1];
    const auto bytes = statement.encode();
    auto decoded = identity::decode_statement(bytes);
    ASSERT_TRUE(decoded) << decoded.error();
    EXPECT_EQ(decoded->encode(), bytes);
    auto longer = bytes;
    longer.push_back(0);
    EXPECT_FALSE(identity::decode_statement(longer));
    auto shorter = bytes;
    shorter.pop_back();
    EXPECT_FALSE(identity::decode_statement(shorter));
    auto bad_name = statement;
    bad_name.text = "Laptop";  // upper case is not a valid name
    EXPECT_FALSE(identity::decode_statement(bad_name.encode()));
}

TEST_F(Fleet, MachineKeyFilesAreStrict) {
    std::vector<uint8_t> seed(32, 4);
    const auto key = SigningKey::from_seed(seed);
    auto file = identity::encode_machine_key(seed, key.public_key());
    auto parsed = identity::parse_machine_key(file.bytes());
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(parsed->public_key(), key.public_key());
    file.data()[50] ^= 1;  // the public half no longer matches the secret
    EXPECT_FALSE(identity::parse_machine_key(file.bytes()));
    EXPECT_FALSE(identity::parse_machine_key(file.bytes().first(file.size() - 1)));
}

}  // namespace
