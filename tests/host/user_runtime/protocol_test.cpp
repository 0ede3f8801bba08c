// The console protocol's bounds and request checks (user/console/protocol.h), the start
// information's placement and validation (user/runtime/start_info.h), and SysResult's reading
// of raw syscall results (user/runtime/sys_result.h, syscalls.h).
#include "user/console/protocol.h"
#include "user/runtime/layout.h"
#include "user/runtime/start_info.h"
#include "user/runtime/syscalls.h"

#include <gtest/gtest.h>

#include <cstring>

namespace {

using vectra::console::Operation;
using vectra::console::RequestHeader;
using vectra::console::request_is_well_formed;

RequestHeader header(Operation operation, uint32_t argument) { return RequestHeader{static_cast<uint32_t>(operation), argument}; }

TEST(ConsoleProtocol, EveryMessageFitsTheRingsBound) {
    EXPECT_EQ(sizeof(RequestHeader) + vectra::console::kConsoleWriteMax, vectra::abi::kMessageMaxBytes);
    EXPECT_EQ(sizeof(vectra::console::ReplyHeader) + vectra::console::kConsoleLineMax, vectra::abi::kMessageMaxBytes);
}

TEST(ConsoleProtocol, AcceptsWellFormedRequests) {
    EXPECT_TRUE(request_is_well_formed(header(Operation::Write, 1), 9));
    EXPECT_TRUE(request_is_well_formed(header(Operation::Write, 248), 256));
    EXPECT_TRUE(request_is_well_formed(header(Operation::ReadLine, vectra::console::kReadEcho), 8));
    EXPECT_TRUE(request_is_well_formed(header(Operation::ReadLine, vectra::console::kReadNoEcho), 8));
    EXPECT_TRUE(request_is_well_formed(header(Operation::Flush, 0), 8));
}

TEST(ConsoleProtocol, RefusesMalformedRequests) {
    EXPECT_FALSE(request_is_well_formed(header(Operation::Write, 1), 7));     // shorter than a header
    EXPECT_FALSE(request_is_well_formed(header(Operation::Write, 0), 8));     // an empty write
    EXPECT_FALSE(request_is_well_formed(header(Operation::Write, 5), 12));    // count says 5, message holds 4
    EXPECT_FALSE(request_is_well_formed(header(Operation::Write, 249), 257));  // past the bound
    EXPECT_FALSE(request_is_well_formed(header(Operation::ReadLine, 2), 8));  // unknown flag
    EXPECT_FALSE(request_is_well_formed(header(Operation::ReadLine, 0), 9));  // trailing bytes
    EXPECT_FALSE(request_is_well_formed(header(Operation::Flush, 1), 8));
    EXPECT_FALSE(request_is_well_formed(RequestHeader{0, 0}, 8));
    EXPECT_FALSE(request_is_well_formed(RequestHeader{77, 0}, 8));
}

TEST(StartInfo, SitsAlignedAtTheTopOfTheStackWithTheStackPointerBelowIt) {
    const uint64_t top = vectra::layout::kStackTop;
    const uint64_t info = vectra::start_info_address(top);
    EXPECT_EQ(info % 16, 0u);
    EXPECT_LE(info + sizeof(vectra::StartInfo), top);
    EXPECT_GT(info + sizeof(vectra::StartInfo) + 16, top);
    EXPECT_LE(vectra::initial_stack_pointer(top), info);
    EXPECT_EQ(vectra::initial_stack_pointer(top) % 16, 0u);
}

vectra::StartInfo valid_start_info() {
    vectra::StartInfo info{};
    info.magic = vectra::kStartInfoMagic;
    info.version = vectra::kStartInfoVersion;
    std::strcpy(info.arguments, "hello world");
    info.arguments_length = 11;
    return info;
}

TEST(StartInfo, ValidationRefusesWhatTheRuntimeCouldNotTrust) {
    EXPECT_TRUE(vectra::start_info_is_valid(valid_start_info()));
    auto info = valid_start_info();
    info.magic ^= 1;
    EXPECT_FALSE(vectra::start_info_is_valid(info));
    info = valid_start_info();
    info.version = 2;
    EXPECT_FALSE(vectra::start_info_is_valid(info));
    info = valid_start_info();
    info.handle_count = vectra::kStartMaxHandles + 1;
    EXPECT_FALSE(vectra::start_info_is_valid(info));
    info = valid_start_info();
    info.arguments_length = 5;  // no NUL there
    EXPECT_FALSE(vectra::start_info_is_valid(info));
    info = valid_start_info();
    info.arguments_length = vectra::kStartArgumentsMax;
    EXPECT_FALSE(vectra::start_info_is_valid(info));
}

TEST(SysResult, NegativeWordsAreStatusesAndTheRestValues) {
    using vectra::Status;
    const auto handle = vectra::sys::result_as<vectra::abi::Handle>(0x1005);
    ASSERT_TRUE(handle.is_ok());
    EXPECT_EQ(handle.value(), 0x1005u);
    const auto refused = vectra::sys::result_as<vectra::abi::Handle>(-static_cast<int64_t>(Status::BadHandle));
    ASSERT_TRUE(refused.is_error());
    EXPECT_EQ(refused.error(), Status::BadHandle);
    EXPECT_EQ(refused.value_or(7), 7u);
    EXPECT_TRUE(vectra::sys::result_void(0).is_ok());
    EXPECT_TRUE(vectra::sys::result_void(42).is_ok());
    EXPECT_EQ(vectra::sys::result_void(-static_cast<int64_t>(Status::Timeout)).status(), Status::Timeout);
}

vectra::SysResult<int> fails_through_try() {
    const uint64_t bits = TRY(vectra::sys::result_as<uint64_t>(-static_cast<int64_t>(vectra::Status::PeerClosed)));
    return static_cast<int>(bits);
}

TEST(SysResult, TryPassesTheStatusOn) { EXPECT_EQ(fails_through_try().error(), vectra::Status::PeerClosed); }

TEST(SysResult, EveryStatusHasAnErrorWithTheHeadersText) {
#define X(name, value, text)                                                                      \
    if (vectra::Status::name != vectra::Status::Ok) {                                             \
        EXPECT_STREQ(vectra::to_error(vectra::Status::name).message, text) << #name;              \
    }
    VECTRA_STATUS_LIST(X)
#undef X
}

}  // namespace
