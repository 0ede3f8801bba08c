// The staging thread: take a job, check its hash, write it under staging/ (not synced one by
// one: fetch syncs them all at once before they move into the store), recycle the buffer.
// Invariant: a chunk is written only after its bytes hashed to its name.
#include "packages/staging_writer.h"

#include "identity/machine_key.h"

namespace packages {
namespace {
constexpr size_t kQueueDepth = 4;
}

StagingWriter::StagingWriter(Store& store) : store_(store), thread_([this] { run(); }) {}

StagingWriter::~StagingWriter() { finish(); }

std::vector<uint8_t> StagingWriter::take_buffer() {
    std::lock_guard lock(mutex_);
    if (free_buffers_.empty()) return {};
    std::vector<uint8_t> buffer = std::move(free_buffers_.back());
    free_buffers_.pop_back();
    buffer.clear();
    return buffer;
}

bool StagingWriter::submit(const Sha256Digest& chunk, std::string where, std::vector<uint8_t>&& data) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return queue_.size() < kQueueDepth || !error_.empty(); });
    if (!error_.empty()) return false;
    queue_.push_back({chunk, std::move(where), std::move(data)});
    changed_.notify_all();
    return true;
}

std::string StagingWriter::finish() {
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
    return error_;
}

void StagingWriter::run() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [this] { return !queue_.empty() || closing_; });
            if (queue_.empty()) return;  // closing, and everything queued is done
            job = std::move(queue_.front());
            queue_.pop_front();
            if (!error_.empty()) continue;  // drain after a failure, writing nothing
        }
        changed_.notify_all();
        std::string error;
        if (identity::sha256(job.data) != job.chunk)
            error = job.where + " does not match its hash (corrupted or tampered)";
        else
            identity::write_file_atomically(store_.staging_path(job.chunk), job.data, 0644, error, /*durable=*/false);
        std::lock_guard lock(mutex_);
        if (!error.empty() && error_.empty()) error_ = error;
        free_buffers_.push_back(std::move(job.data));
        changed_.notify_all();
    }
}

}  // namespace packages
