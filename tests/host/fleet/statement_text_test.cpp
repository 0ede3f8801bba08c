// The text rules of fleet statements hold in one place: what check_statement_text refuses is
// never signed or appended, and whatever a log accepts, its saved file loads again.
#include <gtest/gtest.h>

#include <random>
#include <variant>

#include "identity/fleet_log.h"

namespace {

using identity::FleetLog;
using identity::SigningKey;
using identity::StatementKind;

SigningKey key_from(uint8_t fill) {
    std::vector<uint8_t> seed(32, fill);
    return SigningKey::from_seed(seed);
}

class StatementText : public ::testing::Test {
protected:
    static void SetUpTestSuite() { ASSERT_TRUE(identity::crypto_init()); }
    SigningKey person = key_from(1);
    SigningKey laptop = key_from(2);
    FleetLog enrolled() {
        FleetLog log = FleetLog::create(person, 1000);
        EXPECT_TRUE(log.append_new(StatementKind::MachineCertificate, laptop.public_key(), "laptop", 1001, person));
        return log;
    }
    // The file the CLI would save, parsed and verified again: what a later command reads.
    static bool loads_again(const FleetLog& log) {
        const auto parsed = identity::parse_log(identity::encode_log(log.statements()));
        return parsed && FleetLog::verify(*parsed, log.person()).has_value();
    }
};

TEST_F(StatementText, ABadRevocationReasonIsNeverSignedOrAppended) {
    for (const std::string& reason : {std::string("caf\xc3\xa9"), std::string("line one\nline two"), std::string(201, 'x'),
                                     std::string("tab\there"), std::string("nul\0byte", 8), std::string("\x7f")}) {
        FleetLog log = enrolled();
        const auto failure = log.append_new(StatementKind::Revocation, laptop.public_key(), reason, 1002, person);
        ASSERT_FALSE(failure) << "accepted reason: " << reason;
        EXPECT_EQ(failure.error().kind, identity::FleetError::Kind::Malformed);
        EXPECT_EQ(log.length(), 2u);  // nothing appended
        EXPECT_TRUE(loads_again(log));
    }
}

TEST_F(StatementText, TheLongestPrintableReasonIsAcceptedAndLoadsAgain) {
    FleetLog log = enrolled();
    std::string reason;
    for (int i = 0; i < 200; ++i) reason += static_cast<char>(0x20 + i % 95);
    ASSERT_TRUE(log.append_new(StatementKind::Revocation, laptop.public_key(), reason, 1002, person));
    EXPECT_TRUE(loads_again(log));
}

TEST_F(StatementText, AnAppendedStatementWithBadTextIsRefusedEvenWhenSigned) {
    // A statement built and signed outside append_new: append itself applies the rule.
    FleetLog log = enrolled();
    identity::Statement s;
    s.kind = StatementKind::Revocation;
    s.sequence = log.length();
    s.previous = log.head_hash();
    s.time = 1002;
    s.key = laptop.public_key();
    s.text = "bad\nreason";
    identity::sign_statement(s, person);
    EXPECT_FALSE(log.append(s));
    EXPECT_TRUE(loads_again(log));
}

TEST_F(StatementText, TheRuleAndTheDecoderAgreeOnEveryText) {
    // Random texts of every byte and length: the encoder-side rule accepts exactly what the
    // decoder accepts, for each kind.
    std::mt19937 random(9);
    for (int round = 0; round < 3000; ++round) {
        std::string text(random() % 220, '\0');
        for (char& c : text) c = static_cast<char>(random() % 4 == 0 ? random() % 256 : 0x20 + random() % 95);
        for (StatementKind kind : {StatementKind::MachineCertificate, StatementKind::Revocation}) {
            identity::Statement s;
            s.kind = kind;
            s.sequence = 1;
            s.key = laptop.public_key();
            s.text = text.substr(0, 255);  // the length byte holds 255 at most
            identity::sign_statement(s, person);
            const bool rule = identity::check_statement_text(kind, s.text).has_value();
            const bool decodes = identity::decode_statement(s.encode()).has_value();
            EXPECT_EQ(rule, decodes) << "kind " << int(kind) << " text length " << s.text.size();
        }
    }
}

TEST_F(StatementText, MachineKeysThatCanNeverSignAreNotCertified) {
    FleetLog log = FleetLog::create(person, 1000);
    identity::PublicKey identity_point{};
    identity_point.bytes[0] = 1;  // the neutral element: small order
    identity::PublicKey zero{};   // order 4
    for (const auto& bad : {identity_point, zero}) {
        EXPECT_FALSE(identity::usable_public_key(bad));
        EXPECT_FALSE(log.append_new(StatementKind::MachineCertificate, bad, "broken", 1001, person));
        EXPECT_EQ(log.length(), 1u);
    }
    EXPECT_TRUE(identity::usable_public_key(laptop.public_key()));
}

}  // namespace
