// See extract.h. The paths come from a decoded manifest, so they are relative, free of "." and
// "..", and no file is also a directory; everything is created inside a directory this call
// made itself (mode 0700 until renamed), with O_EXCL|O_NOFOLLOW, relative to its descriptor.
#include "packages/extract.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "files/files.h"

namespace packages {
namespace {

// Creates the directories of `path` below `root_fd` (those that do not exist yet); the
// descriptor of its parent, or -1.
int parent_of(int root_fd, const std::string& path) {
    int at = dup(root_fd);
    size_t start = 0;
    for (size_t slash = path.find('/'); slash != std::string::npos && at >= 0; slash = path.find('/', start)) {
        const std::string part = path.substr(start, slash - start);
        if (mkdirat(at, part.c_str(), 0755) != 0 && errno != EEXIST) {
            close(at);
            return -1;
        }
        const int next = openat(at, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        close(at);
        at = next;
        start = slash + 1;
    }
    return at;
}

void remove_tree(const std::string& path) {
    // Only ever a directory this process created: plain recursion over it is safe.
    if (rmdir(path.c_str()) == 0 || unlink(path.c_str()) == 0) return;
    if (DIR* dir = opendir(path.c_str())) {
        while (dirent* entry = readdir(dir)) {
            const std::string name = entry->d_name;
            if (name != "." && name != "..") remove_tree(path + "/" + name);
        }
        closedir(dir);
    }
    rmdir(path.c_str());
}

}  // namespace

files::Expected<Extracted> extract_package(const Store& store, const Manifest& manifest, const std::string& directory) {
    struct stat st{};
    if (lstat(directory.c_str(), &st) == 0) return files::failure(directory + " already exists: extract makes a new directory");
    const std::string temporary = directory + ".partial." + std::to_string(getpid());
    if (mkdir(temporary.c_str(), 0700) != 0) return files::failure("cannot create " + temporary + ": " + std::strerror(errno));
    const int root_fd = open(temporary.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    Extracted extracted;
    auto fail = [&](std::string message) -> files::Expected<Extracted> {
        if (root_fd >= 0) close(root_fd);
        remove_tree(temporary);
        return files::failure(std::move(message));
    };
    if (root_fd < 0) return fail("cannot open " + temporary + ": " + std::strerror(errno));
    std::vector<uint8_t> chunk;
    for (const FileEntry& file : manifest.files) {
        const std::string shown = quoted_for_error(file.path);
        const int parent = parent_of(root_fd, file.path);
        if (parent < 0) return fail("cannot create the folders of " + shown + ": " + std::strerror(errno));
        const size_t slash = file.path.rfind('/');
        const std::string name = slash == std::string::npos ? file.path : file.path.substr(slash + 1);
        const int fd = openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, file.mode & 0777);
        close(parent);
        if (fd < 0) return fail("cannot create " + shown + ": " + std::strerror(errno));
        identity::Sha256 whole;
        files::Expected<> written;
        // Invariant: chunks before i are verified, hashed into `whole` and written.
        for (size_t i = 0; i < file.chunks.size() && written; ++i) {
            auto read = store.read_blob(file.chunks[i], kChunkSize);
            if (!read) {
                close(fd);
                return fail(shown + " chunk " + std::to_string(i) + ": " + read.error() + " (fetch the package again to repair it)");
            }
            chunk = std::move(*read);
            if (chunk.size() != chunk_length(file.size, i)) {
                close(fd);
                return fail(shown + " chunk " + std::to_string(i) + " has the wrong length");
            }
            whole.update(chunk);
            written = files::write_all(fd, chunk, shown);
        }
        if (written && fsync(fd) != 0) written = files::failure("cannot write " + shown + ": " + std::strerror(errno));
        close(fd);
        if (!written) return fail(written.error());
        if (whole.finish() != file.content) return fail(shown + ": the whole file does not match its hash");
        ++extracted.files;
        extracted.bytes += file.size;
    }
    close(root_fd);
    if (chmod(temporary.c_str(), 0755) != 0 || rename(temporary.c_str(), directory.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        remove_tree(temporary);
        return files::failure("cannot move the extracted files to " + directory + ": " + reason);
    }
    return extracted;
}

}  // namespace packages
