// The staging thread: take a job, check its hash, write it under staging/ (not synced one by
// one: fetch syncs them all at once before they move into the store), recycle the buffer.
// Invariants: a chunk is written only after its bytes hashed to its name; a file's whole hash
// sees its chunks in order, because one thread runs the jobs in the order they were queued.
#include "packages/staging_writer.h"

#include "files/files.h"

namespace packages {
namespace {
constexpr size_t kQueueDepth = 4;
}

StagingWriter::StagingWriter(Store& store) : store_(store), thread_([this] { run(); }) {}

StagingWriter::~StagingWriter() { (void)finish(); }  // a caller that cares has called finish() already

std::vector<uint8_t> StagingWriter::take_buffer() {
    std::lock_guard lock(mutex_);
    if (free_buffers_.empty()) return {};
    std::vector<uint8_t> buffer = std::move(free_buffers_.back());
    free_buffers_.pop_back();
    buffer.clear();
    return buffer;
}

bool StagingWriter::submit(Action action, const Sha256Digest& chunk, std::string where, std::vector<uint8_t>&& data,
                           WholeFileCheck* file, bool last) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return queue_.size() < kQueueDepth || !error_.empty(); });
    if (!error_.empty()) return false;
    queue_.push_back({action, chunk, std::move(where), std::move(data), file, last});
    changed_.notify_all();
    return true;
}

files::Expected<> StagingWriter::finish() {
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (!error_.empty()) return files::failure(error_);
    return {};
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
        const auto processed = process(job);
        std::lock_guard lock(mutex_);
        if (!processed && error_.empty()) error_ = processed.error();
        free_buffers_.push_back(std::move(job.data));
        changed_.notify_all();
    }
}

files::Expected<> StagingWriter::process(Job& job) {
    if (job.action == Action::ReadBack) {
        // Staged earlier in this fetch (so already in staging/), or held intact in the store.
        auto read = files::read_file(store_.staging_path(job.chunk), kChunkSize);
        if (!read) read = files::read_file(store_.blob_path(job.chunk), kChunkSize);
        if (!read) return files::failure(job.where + ": cannot read it back: " + read.error());
        job.data = std::move(*read);
        if (identity::sha256(job.data) != job.chunk) return files::failure(job.where + " changed on disk during the fetch");
    } else if (job.action == Action::Stage) {
        if (identity::sha256(job.data) != job.chunk) return files::failure(job.where + " does not match its hash (corrupted or tampered)");
        VECTRA_TRY(files::write_file_atomically(store_.staging_path(job.chunk), job.data, 0644, files::Durability::Deferred));
    }
    if (job.file != nullptr) {
        job.file->hash.update(job.data);
        if (job.last && job.file->hash.finish() != job.file->expected)
            return files::failure(job.file->where + ": the whole file does not match its hash in the manifest (every chunk did)");
    }
    return {};
}

}  // namespace packages
