// lib/files: atomic writes nobody can redirect, modes that ignore the umask, bounded reads,
// recursive directories, and the lock that keeps two fleet ceremonies apart.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "files/files.h"

namespace {

namespace fs = std::filesystem;

class Files : public ::testing::Test {
protected:
    fs::path root;
    void SetUp() override {
        char pattern[] = "/tmp/vectra-files-XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        root = pattern;
    }
    void TearDown() override { fs::remove_all(root); }
    static std::string slurp(const fs::path& path) {
        std::ifstream in(path, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    static files::Bytes bytes(const std::string& text) { return {reinterpret_cast<const uint8_t*>(text.data()), text.size()}; }
};

TEST_F(Files, AWriteIsNotRedirectedByALinkAtAGuessableTemporaryName) {
    // The old temporary name was PATH.tmp.PID: a link planted there sent the key elsewhere.
    const fs::path target = root / "machine.key", victim = root / "victim";
    std::ofstream(victim) << "untouched";
    fs::create_symlink(victim, target.string() + ".tmp." + std::to_string(getpid()));
    ASSERT_TRUE(files::write_file_atomically(target, bytes("secret"), 0600));
    EXPECT_EQ(slurp(victim), "untouched");
    EXPECT_EQ(slurp(target), "secret");
}

TEST_F(Files, TheModeIsExactWhateverTheUmaskAndNoTemporaryIsLeft) {
    const mode_t old = umask(0);
    ASSERT_TRUE(files::write_file_atomically(root / "a", bytes("x"), 0600));
    umask(0077);
    ASSERT_TRUE(files::write_file_atomically(root / "b", bytes("y"), 0644));
    umask(old);
    EXPECT_EQ(fs::status(root / "a").permissions(), fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(fs::status(root / "b").permissions(),
              fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    size_t entries = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(root)) ++entries;
    EXPECT_EQ(entries, 2u);
}

TEST_F(Files, AFailedWriteLeavesTheOldFileAndNoTemporary) {
    ASSERT_TRUE(files::write_file_atomically(root / "f", bytes("old"), 0644));
    const auto failed = files::write_file_atomically(root / "missing-dir" / "f", bytes("new"), 0644);
    EXPECT_FALSE(failed);
    EXPECT_NE(failed.error().find("missing-dir"), std::string::npos);
    EXPECT_EQ(slurp(root / "f"), "old");
}

TEST_F(Files, ReadsAreBoundedAndReadIntoExactBuffers) {
    ASSERT_TRUE(files::write_file_atomically(root / "f", bytes("0123456789"), 0644));
    EXPECT_TRUE(files::read_file(root / "f", 10));
    EXPECT_FALSE(files::read_file(root / "f", 9));
    uint8_t exact[10], small[9];
    EXPECT_EQ(files::read_file_into(root / "f", exact).value_or(0), 10u);
    EXPECT_FALSE(files::read_file_into(root / "f", small));
}

TEST_F(Files, DirectoriesAreMadeRecursively) {
    const fs::path deep = root / "a" / "b" / "c";
    ASSERT_TRUE(files::make_directories(deep, 0700));
    EXPECT_TRUE(fs::is_directory(deep));
    EXPECT_TRUE(files::make_directories(deep, 0700));  // again: fine
    std::ofstream(root / "file") << "x";
    EXPECT_FALSE(files::make_directories(root / "file", 0700));
}

TEST_F(Files, WriteAllGetsEveryByteThroughShortWritesAndInterruptionsAndNamesWhatFailed) {
    // A timer signal without SA_RESTART interrupts the blocked writes: some return EINTR,
    // some a short count; every byte must still arrive, in order.
    struct sigaction action {};
    action.sa_handler = [](int) {};
    struct sigaction previous {};
    ASSERT_EQ(sigaction(SIGALRM, &action, &previous), 0);
    itimerval every_millisecond{{0, 1000}, {0, 1000}}, stop{};
    int ends[2];
    ASSERT_EQ(pipe(ends), 0);
    std::vector<uint8_t> data(8 << 20);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7 + i / 4093);
    std::vector<uint8_t> received;
    std::thread reader([&] {
        uint8_t buffer[4096];
        for (ssize_t n; (n = read(ends[0], buffer, sizeof buffer)) != 0;)
            if (n > 0) received.insert(received.end(), buffer, buffer + n);
    });
    setitimer(ITIMER_REAL, &every_millisecond, nullptr);
    const auto written = files::write_all(ends[1], data, "the pipe");
    setitimer(ITIMER_REAL, &stop, nullptr);
    close(ends[1]);
    reader.join();
    close(ends[0]);
    sigaction(SIGALRM, &previous, nullptr);
    ASSERT_TRUE(written) << written.error();
    EXPECT_TRUE(received == data) << "received " << received.size() << " of " << data.size() << " bytes, or out of order";

    const int full = open("/dev/full", O_WRONLY | O_CLOEXEC);
    ASSERT_GE(full, 0);
    const auto refused = files::write_all(full, bytes("x"), "the test file");
    close(full);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), "cannot write the test file: No space left on device");
}

TEST_F(Files, TheLockIsExclusiveAcrossProcessesAndWaits) {
    const std::string path = root / "lock";
    auto held = files::FileLock::acquire(path, std::chrono::milliseconds(0));
    ASSERT_TRUE(held);
    const pid_t child = fork();
    if (child == 0) {
        auto busy = files::FileLock::acquire(path, std::chrono::milliseconds(100));
        _exit(!busy && busy.error().busy ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a second process took a held lock";
    // Released when the holder goes: a waiter gets it.
    { auto gone = std::move(*held); }
    EXPECT_TRUE(files::FileLock::acquire(path, std::chrono::milliseconds(0)));
}

}  // namespace
