// Verifying and staging chunks on a second thread, so that hashing and writing one chunk
// overlaps downloading the next (a fetch then runs at about the speed of the network alone).
// Nothing is written before its hash is checked; the first bad chunk stops everything.
// The same thread hashes each file whole, in chunk order (jobs run in the order submitted),
// and checks it against the manifest's whole-file hash after the file's last chunk.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "packages/store.h"

namespace packages {

// One file's whole-file check: fed every chunk in order, compared after the last.
struct WholeFileCheck {
    identity::Sha256 hash;
    Sha256Digest expected;
    std::string where;  // names the file in an error
};

class StagingWriter {
public:
    explicit StagingWriter(Store& store);
    ~StagingWriter();  // finishes the queue
    StagingWriter(const StagingWriter&) = delete;
    StagingWriter& operator=(const StagingWriter&) = delete;

    enum class Action {
        Stage,     // new bytes: check the chunk hash, write under staging/
        HashOnly,  // bytes already verified (reused from the store or staging)
        ReadBack,  // no bytes: this chunk was staged or stored earlier in this fetch; read it there
    };
    // A buffer to download the next chunk into (recycled, capacity kept).
    std::vector<uint8_t> take_buffer();
    // Queues a chunk of `file` (may be null: no whole-file check); `last` closes the file's
    // check. Blocks while the queue is full. False once any chunk has failed (stop).
    bool submit(Action action, const Sha256Digest& chunk, std::string where, std::vector<uint8_t>&& data,
                WholeFileCheck* file, bool last);
    // Waits until every queued chunk is done; refused with the first chunk's error.
    [[nodiscard]] files::Expected<> finish();

private:
    struct Job {
        Action action = Action::Stage;
        Sha256Digest chunk;
        std::string where;
        std::vector<uint8_t> data;
        WholeFileCheck* file = nullptr;
        bool last = false;
    };
    void run();
    [[nodiscard]] files::Expected<> process(Job& job);

    Store& store_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Job> queue_;
    std::vector<std::vector<uint8_t>> free_buffers_;
    std::string error_;  // the first failure; empty while all went well
    bool closing_ = false;
    std::thread thread_;  // last: started once everything above exists
};

}  // namespace packages
