// The store on disk. Building reads each file one chunk at a time (a 1 GiB file never sits in
// memory whole) and stages new chunks, synced once, before naming them; garbage collection computes the live set from the accepted releases and
// their dependencies first, and deletes nothing if any of them cannot be read.
#include "packages/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "files/files.h"
#include "identity/machine_key.h"
#include "packages/beneath.h"

namespace packages {
namespace {

std::vector<std::string> list_directory(const std::string& path) {
    std::vector<std::string> names;
    if (DIR* dir = opendir(path.c_str())) {
        while (dirent* entry = readdir(dir)) {
            const std::string name = entry->d_name;
            if (name != "." && name != "..") names.push_back(name);
        }
        closedir(dir);
    }
    std::sort(names.begin(), names.end());
    return names;
}

// Everything under the directory `directory_fd`, walked through descriptors without following
// a symlink: regular files to package (relative paths), and what is not packaged (symlinks,
// FIFOs, sockets, devices), each described for the report.
files::Expected<> walk(int directory_fd, const std::string& relative, std::vector<std::string>& files, std::vector<std::string>& skipped) {
    const int listing = dup(directory_fd);
    DIR* dir = listing >= 0 ? fdopendir(listing) : nullptr;
    if (dir == nullptr) {
        const std::string why = "cannot list " + (relative.empty() ? std::string(".") : relative) + ": " + std::strerror(errno);
        if (listing >= 0) close(listing);
        return files::failure(why);
    }
    std::vector<std::string> names;
    while (dirent* entry = readdir(dir)) {
        const std::string name = entry->d_name;
        if (name != "." && name != "..") names.push_back(name);
    }
    closedir(dir);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
        const std::string path = relative.empty() ? name : relative + "/" + name;
        struct stat st{};
        if (fstatat(directory_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            return files::failure("cannot stat " + quoted_for_error(path) + ": " + std::strerror(errno));
        if (S_ISDIR(st.st_mode)) {
            const int child = openat(directory_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (child < 0) return files::failure("cannot open " + quoted_for_error(path) + ": " + std::strerror(errno));
            auto walked = walk(child, path, files, skipped);
            close(child);
            if (!walked) return walked;
        } else if (S_ISREG(st.st_mode)) {
            if (files.size() == kMaxFiles) return files::failure("more than " + std::to_string(kMaxFiles) + " files");
            files.push_back(path);
        } else if (S_ISLNK(st.st_mode)) {
            char target[512];
            const ssize_t length = readlinkat(directory_fd, name.c_str(), target, sizeof target);
            skipped.push_back(quoted_for_error(path) + " -> " + quoted_for_error(std::string_view(target, length > 0 ? size_t(length) : 0)) +
                              " (a symlink)");
        } else {
            skipped.push_back(quoted_for_error(path) + (S_ISFIFO(st.st_mode) ? " (a FIFO)" : S_ISSOCK(st.st_mode) ? " (a socket)" : " (a device)"));
        }
    }
    return {};
}

// A machine key (docs/identity.md: "VXMK", version 1, 72 bytes) is a secret; a package is
// public. Caught by name or by content, wherever it sits in the tree.
bool is_machine_key(const std::string& path, Bytes first_chunk, uint64_t size) {
    const size_t slash = path.rfind('/');
    const std::string_view name = slash == std::string::npos ? std::string_view(path) : std::string_view(path).substr(slash + 1);
    static constexpr uint8_t kMagic[] = {'V', 'X', 'M', 'K', 1, 0, 0, 0};
    return name == "machine.key" ||
           (size == 72 && first_chunk.size() >= 8 && std::equal(kMagic, kMagic + 8, first_chunk.begin()));
}

// Fills `buffer` from `fd` until it is full or the file ends; the count read, or -1.
ssize_t read_up_to(int fd, uint8_t* buffer, size_t size) {
    size_t filled = 0;
    while (filled < size) {
        const ssize_t n = read(fd, buffer + filled, size - filled);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) break;
        filled += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(filled);
}

}  // namespace

files::Expected<> ensure_directory(const std::string& path) {
    size_t at = 0;
    while ((at = path.find('/', at + 1)) != std::string::npos) mkdir(path.substr(0, at).c_str(), 0755);
    if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return files::failure("cannot create " + path + ": " + std::strerror(errno));
    return {};
}

StoreLock::~StoreLock() {
    if (fd_ >= 0) close(fd_);  // closing the descriptor releases the flock
}

files::Expected<StoreLock> Store::lock() {
    VECTRA_TRY(ensure_directory(root_));
    const std::string path = root_ + "/lock";
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return files::failure("cannot open " + path + ": " + std::strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const std::string why = errno == EWOULDBLOCK ? "the store " + root_ + " is busy (another fetch, build, release or gc is using it)"
                                                     : "cannot lock " + path + ": " + std::strerror(errno);
        close(fd);
        return files::failure(why);
    }
    StoreLock held;
    held.fd_ = fd;
    return held;
}

std::string Store::blob_relative_path(const Sha256Digest& digest) {
    const std::string name = hex(digest);
    return "blobs/" + name.substr(0, 2) + "/" + name.substr(2);
}

bool Store::has_blob(const Sha256Digest& digest) const { return access(blob_path(digest).c_str(), F_OK) == 0; }

bool Store::holds_intact(const Sha256Digest& digest, std::optional<uint64_t> length) const {
    if (!has_blob(digest)) return false;
    const auto data = read_blob(digest, length ? *length : kMaxManifestSize);
    return data && (!length || data->size() == *length);
}

files::Expected<Sha256Digest> Store::put_blob(Bytes data) {
    const Sha256Digest digest = identity::sha256(data);
    if (holds_intact(digest, data.size())) return digest;
    const std::string path = blob_path(digest);
    VECTRA_TRY(files::make_directories(path.substr(0, path.rfind('/')), 0755));
    VECTRA_TRY(files::write_file_atomically(path, data, 0644));
    return digest;
}

files::Expected<std::vector<uint8_t>> Store::read_blob(const Sha256Digest& digest, size_t limit) const {
    std::vector<uint8_t> data = VECTRA_TRY(files::read_file(blob_path(digest), limit));
    if (identity::sha256(data) != digest) return files::failure("blob " + hex(digest) + " is corrupt: its bytes do not hash to its name");
    return data;
}

files::Expected<Manifest> Store::read_manifest(const Sha256Digest& digest) const {
    const std::vector<uint8_t> bytes = VECTRA_TRY(read_blob(digest));
    auto parsed = decode_manifest(bytes);
    if (!parsed) return files::failure("manifest " + hex(digest) + ": " + parsed.error());
    return parsed;
}

files::Expected<BuiltPackage> Store::build(const std::string& directory, const std::vector<Sha256Digest>& dependencies) {
    const int root_fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) return files::failure(directory + " is not a directory (" + std::strerror(errno) + ")");
    struct Closer {
        int fd;
        ~Closer() { close(fd); }
    } root_closer{root_fd};
    const StoreLock held = VECTRA_TRY(lock());
    BuiltPackage built;
    Manifest& manifest = built.manifest;
    manifest.dependencies = dependencies;
    std::sort(manifest.dependencies.begin(), manifest.dependencies.end());
    manifest.dependencies.erase(std::unique(manifest.dependencies.begin(), manifest.dependencies.end()), manifest.dependencies.end());
    for (const auto& dependency : manifest.dependencies)
        if (auto needed = read_manifest(dependency); !needed)
            return files::failure("dependency " + hex(dependency) + " is not in this store (" + needed.error() + ")");
    std::vector<std::string> files;
    VECTRA_TRY(walk(root_fd, "", files, built.skipped));
    std::sort(files.begin(), files.end());
    std::vector<uint8_t> chunk(kChunkSize);
    std::set<Sha256Digest> staged;
    VECTRA_TRY(ensure_directory(root_ + "/staging"));
    for (const std::string& path : files) {
        if (const auto allowed = check_package_path(path); !allowed)
            return files::failure("cannot package the path " + quoted_for_error(path) + ": it " + allowed.error());
        // Opened without following any link, then checked through the descriptor: whatever
        // was swapped in after the walk is what fstat describes, and a link fails the open.
        if (before_open_for_test) before_open_for_test(path);
        const int fd = open_file_beneath(root_fd, path);
        if (fd < 0)
            return files::failure("cannot open " + quoted_for_error(path) + ": " +
                                  (errno == ELOOP ? "it became a symlink during the build"
                                   : errno == EINVAL ? "it is no longer a regular file"
                                                     : std::strerror(errno)));
        struct Closer file_closer{fd};
        struct stat st{};
        if (fstat(fd, &st) != 0) return files::failure("cannot stat " + quoted_for_error(path) + ": " + std::strerror(errno));
        if (is_machine_key(path, {}, 0))
            return files::failure(quoted_for_error(path) + " is named like a machine key, a secret: a package is public. Move it out of " +
                                  directory + " (nothing was built)");
        FileEntry entry;
        entry.path = path;
        entry.mode = st.st_mode & 0777;  // 0600 stays 0600
        identity::Sha256 whole;
        // Invariant: entry.size bytes read so far, in entry.chunks.size() full chunks.
        for (;;) {
            const ssize_t n = read_up_to(fd, chunk.data(), chunk.size());
            if (n < 0) return files::failure("cannot read " + quoted_for_error(path) + ": " + std::strerror(errno));
            if (n == 0) break;
            const Bytes piece(chunk.data(), static_cast<size_t>(n));
            if (entry.size == 0 && is_machine_key(path, piece, static_cast<uint64_t>(st.st_size)))
                return files::failure(quoted_for_error(path) + " is a machine key, a secret: a package is public. Move it out of " +
                                      directory + " (nothing was built)");
            whole.update(piece);
            // New chunks go to staging/ unsynced; one syncfs below makes them durable before
            // any is renamed to its final name (one sync per build, not one per chunk).
            const Sha256Digest digest = identity::sha256(piece);
            if (!staged.count(digest) && !holds_intact(digest, static_cast<uint64_t>(n))) {  // a corrupt copy is replaced
                VECTRA_TRY(files::write_file_atomically(staging_path(digest), piece, 0644, files::Durability::Deferred));
                staged.insert(digest);
            }
            entry.chunks.push_back(digest);
            entry.size += static_cast<uint64_t>(n);
            if (static_cast<size_t>(n) < chunk.size()) break;
        }
        entry.content = whole.finish();
        manifest.files.push_back(std::move(entry));
    }
    VECTRA_TRY(files::sync_filesystem(root_ + "/staging"));
    for (const Sha256Digest& digest : staged) {
        const std::string target = blob_path(digest);
        VECTRA_TRY(ensure_directory(target.substr(0, target.rfind('/'))));
        if (rename(staging_path(digest).c_str(), target.c_str()) != 0)
            return files::failure("cannot move a chunk into the store: " + std::string(std::strerror(errno)));
    }
    VECTRA_TRY(put_blob(manifest.encode()));
    return built;
}

files::Expected<std::optional<Release>> Store::read_accepted(const std::string& name) const {
    if (!identity::valid_machine_name(name)) return files::failure("'" + name + "' is not a valid package name");
    const std::string path = release_path(name);
    if (access(path.c_str(), F_OK) != 0 && errno == ENOENT) return std::nullopt;  // none accepted yet
    const std::vector<uint8_t> bytes = VECTRA_TRY(files::read_file(path, kMaxReleaseSize + 1));
    auto parsed = decode_release(bytes);
    if (!parsed) return files::failure(path + " is damaged (" + parsed.error() + "); refusing rather than forgetting the accepted version");
    if (parsed->name != name) return files::failure(path + " holds a release of '" + parsed->name + "'");
    return std::optional<Release>(std::move(*parsed));
}

files::Expected<std::vector<Release>> Store::read_history(const std::string& name) const {
    if (!identity::valid_machine_name(name)) return files::failure("'" + name + "' is not a valid package name");
    const std::string path = history_path(name);
    std::vector<Release> history;
    if (access(path.c_str(), F_OK) != 0 && errno == ENOENT) return history;
    const std::vector<uint8_t> bytes = VECTRA_TRY(files::read_file(path, kMaxReleaseHistory * kMaxReleaseSize));
    // Concatenated release encodings; each one's length follows from its name length byte.
    // Invariant: bytes before `at` decoded into `history`.
    for (size_t at = 0; at < bytes.size();) {
        const size_t length = bytes.size() - at > 8 ? kMaxReleaseSize - 64 + bytes[at + 8] : 0;
        auto parsed = length != 0 && length <= bytes.size() - at ? decode_release(Bytes(bytes.data() + at, length))
                                                                 : files::failure("truncated");
        if (!parsed || parsed->name != name)
            return files::failure(path + " is damaged at byte " + std::to_string(at) + "; refusing rather than forgetting accepted versions");
        history.push_back(std::move(*parsed));
        at += length;
    }
    return history;
}

files::Expected<std::optional<Timestamp>> Store::read_timestamp() const {
    if (access(timestamp_path().c_str(), F_OK) != 0 && errno == ENOENT) return std::nullopt;
    const std::vector<uint8_t> bytes = VECTRA_TRY(files::read_file(timestamp_path(), kMaxTimestampSize));
    auto decoded = decode_timestamp(bytes);
    if (!decoded) return files::failure(timestamp_path() + " is damaged (" + decoded.error() + "); refusing rather than forgetting it (replays)");
    return std::optional<Timestamp>(std::move(*decoded));
}

files::Expected<> Store::put_timestamp(const Timestamp& timestamp) {
    const std::optional<Timestamp> held = VECTRA_TRY(read_timestamp());
    if (held && held->issued >= timestamp.issued) return {};
    return files::write_file_atomically(timestamp_path(), timestamp.encode(), 0644);
}

files::Expected<AcceptedState> Store::read_standing(const std::string& name, const SignerCheck& stands) const {
    AcceptedState state;
    state.head = VECTRA_TRY(read_accepted(name));
    std::vector<Release> history = VECTRA_TRY(read_history(name));
    if (state.head) history.push_back(*state.head);
    // The newest that stands; ties go to the later entry (the head).
    for (const Release& release : history) {
        if (auto standing = stands(release)) {
            if (!state.standing || !(release.version < state.standing->version)) state.standing = release;
        } else if (state.head && &release == &history.back()) {
            state.head_revoked = standing.error();
        }
    }
    return state;
}

files::Expected<> Store::put_release(const Release& release) {
    const std::string folder = root_ + "/releases";
    VECTRA_TRY(files::make_directories(folder, 0755));
    const std::optional<Release> replaced = VECTRA_TRY(read_accepted(release.name));
    if (replaced && replaced->encode() != release.encode()) {
        std::vector<Release> history = VECTRA_TRY(read_history(release.name));
        VECTRA_TRY(files::make_directories(root_ + "/history", 0755));
        history.push_back(*replaced);
        const size_t drop = history.size() > kMaxReleaseHistory ? history.size() - kMaxReleaseHistory : 0;
        std::vector<uint8_t> bytes;
        for (size_t i = drop; i < history.size(); ++i) {
            const auto encoded = history[i].encode();
            bytes.insert(bytes.end(), encoded.begin(), encoded.end());
        }
        VECTRA_TRY(files::write_file_atomically(history_path(release.name), bytes, 0644));
    }
    // Synced (file and directory) before it returns: the release is the commit point.
    return files::write_file_atomically(release_path(release.name), release.encode(), 0644);
}

ReleaseList Store::list_releases() const {
    ReleaseList list;
    for (const std::string& name : list_directory(root_ + "/releases")) {
        if (name.find(".tmp.") != std::string::npos) continue;  // an interrupted atomic write
        auto release = read_accepted(name);
        if (!release) list.problems.push_back(release.error());
        else if (*release) list.releases.push_back(std::move(**release));
    }
    return list;
}

files::Expected<std::set<Sha256Digest>> Store::live_manifests() const {
    const ReleaseList list = list_releases();
    if (!list.problems.empty()) return files::failure(list.problems.front());
    std::set<Sha256Digest> manifests;
    std::vector<Sha256Digest> pending;
    for (const Release& release : list.releases) pending.push_back(release.manifest);
    // Invariant: every manifest in `manifests` has been read and its dependencies queued.
    while (!pending.empty()) {
        const Sha256Digest digest = pending.back();
        pending.pop_back();
        if (!manifests.insert(digest).second) continue;
        const Manifest manifest = VECTRA_TRY(read_manifest(digest));
        pending.insert(pending.end(), manifest.dependencies.begin(), manifest.dependencies.end());
    }
    return manifests;
}

std::expected<void, std::vector<std::string>> Store::verify() const {
    std::vector<std::string> problems = list_releases().problems;
    const auto live = live_manifests();
    if (!live) {
        if (problems.empty()) problems.push_back(live.error());
        return std::unexpected(std::move(problems));
    }
    const std::set<Sha256Digest>& manifests = *live;
    for (const Sha256Digest& digest : manifests) {
        const auto manifest = read_manifest(digest);
        if (!manifest) {
            problems.push_back(manifest.error());
            continue;
        }
        for (const FileEntry& file : manifest->files) {
            identity::Sha256 whole;
            bool chunks_ok = true;
            for (size_t i = 0; i < file.chunks.size() && chunks_ok; ++i) {
                const auto data = read_blob(file.chunks[i], kChunkSize);
                if (!data) {
                    problems.push_back(hex(digest).substr(0, 16) + " " + file.path + ": chunk " + std::to_string(i) + ": " + data.error());
                    chunks_ok = false;
                } else if (data->size() != chunk_length(file.size, i)) {
                    problems.push_back(hex(digest).substr(0, 16) + " " + file.path + ": chunk " + std::to_string(i) + " has the wrong length");
                    chunks_ok = false;
                } else {
                    whole.update(*data);
                }
            }
            if (chunks_ok && whole.finish() != file.content)
                problems.push_back(hex(digest).substr(0, 16) + " " + file.path + ": the whole file does not match its hash");
        }
    }
    if (!problems.empty()) return std::unexpected(std::move(problems));
    return {};
}

files::Expected<size_t> Store::collect_garbage() {
    const StoreLock held = VECTRA_TRY(lock());
    const std::set<Sha256Digest> manifests = VECTRA_TRY(live_manifests());  // never delete on doubt
    std::set<std::string> live;
    for (const Sha256Digest& digest : manifests) {
        live.insert(blob_relative_path(digest));
        const Manifest manifest = VECTRA_TRY(read_manifest(digest));
        for (const auto& file : manifest.files)
            for (const auto& chunk : file.chunks) live.insert(blob_relative_path(chunk));
    }
    size_t removed = 0;
    for (const std::string& prefix : list_directory(root_ + "/blobs")) {
        for (const std::string& rest : list_directory(root_ + "/blobs/" + prefix)) {
            const std::string relative = "blobs/" + prefix + "/" + rest;
            if (!live.count(relative) && unlink((root_ + "/" + relative).c_str()) == 0) ++removed;
        }
    }
    for (const std::string& name : list_directory(root_ + "/staging")) unlink((root_ + "/staging/" + name).c_str());
    return removed;
}

}  // namespace packages
