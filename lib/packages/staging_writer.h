// Verifying and staging chunks on a second thread, so that hashing and writing one chunk
// overlaps downloading the next (a fetch then runs at about the speed of the network alone).
// Nothing is written before its hash is checked; the first bad chunk stops everything.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "packages/store.h"

namespace packages {

class StagingWriter {
public:
    explicit StagingWriter(Store& store);
    ~StagingWriter();  // finishes the queue
    StagingWriter(const StagingWriter&) = delete;
    StagingWriter& operator=(const StagingWriter&) = delete;

    // A buffer to download the next chunk into (recycled, capacity kept).
    std::vector<uint8_t> take_buffer();
    // Queues `data`, which must hash to `chunk`, for staging; `where` names it in an error.
    // Blocks while the queue is full. False once any chunk has failed (stop downloading).
    bool submit(const Sha256Digest& chunk, std::string where, std::vector<uint8_t>&& data);
    // Waits until every queued chunk is staged; the first error, or empty.
    std::string finish();

private:
    struct Job {
        Sha256Digest chunk;
        std::string where;
        std::vector<uint8_t> data;
    };
    void run();

    Store& store_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Job> queue_;
    std::vector<std::vector<uint8_t>> free_buffers_;
    std::string error_;
    bool closing_ = false;
    std::thread thread_;  // last: started once everything above exists
};

}  // namespace packages
