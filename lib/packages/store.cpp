#include "packages/store.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <set>

#include "identity/machine_key.h"

namespace packages {
namespace {

bool is_directory(const std::string& path) {
    struct stat st{};
    return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

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

// Every regular file under `root`, as sorted relative paths. Symlinks and devices are refused.
bool walk(const std::string& root, const std::string& relative, std::vector<std::pair<std::string, uint32_t>>& files, std::string& error) {
    const std::string here = relative.empty() ? root : root + "/" + relative;
    for (const std::string& name : list_directory(here)) {
        const std::string path = relative.empty() ? name : relative + "/" + name;
        struct stat st{};
        if (lstat((root + "/" + path).c_str(), &st) != 0) {
            error = "cannot stat " + path + ": " + std::strerror(errno);
            return false;
        }
        if (S_ISDIR(st.st_mode)) {
            if (!walk(root, path, files, error)) return false;
        } else if (S_ISREG(st.st_mode)) {
            files.push_back({path, (st.st_mode & 0111) ? 0755u : 0644u});
        } else {
            error = path + " is not a regular file or directory (symlinks and devices are not packaged)";
            return false;
        }
    }
    return true;
}

}  // namespace

bool ensure_directory(const std::string& path, std::string& error) {
    size_t at = 0;
    while ((at = path.find('/', at + 1)) != std::string::npos) mkdir(path.substr(0, at).c_str(), 0755);
    if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
        error = "cannot create " + path + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

std::string Store::blob_relative_path(const Sha256Digest& digest) {
    const std::string name = hex(digest);
    return "blobs/" + name.substr(0, 2) + "/" + name.substr(2);
}

bool Store::has_blob(const Sha256Digest& digest) const { return access(blob_path(digest).c_str(), F_OK) == 0; }

bool Store::put_blob(Bytes data, Sha256Digest& digest, std::string& error) {
    digest = identity::sha256(data);
    if (has_blob(digest)) return true;
    const std::string path = blob_path(digest);
    if (!ensure_directory(path.substr(0, path.rfind('/')), error)) return false;
    return identity::write_file_atomically(path, data, 0644, error);
}

bool Store::read_blob(const Sha256Digest& digest, std::vector<uint8_t>& data, std::string& error, size_t limit) const {
    if (!identity::read_file(blob_path(digest), data, error, limit)) return false;
    if (identity::sha256(data) != digest) {
        error = "blob " + hex(digest) + " is corrupt: its bytes do not hash to its name";
        return false;
    }
    return true;
}

bool Store::read_manifest(const Sha256Digest& digest, Manifest& manifest, std::string& error) const {
    std::vector<uint8_t> bytes;
    if (!read_blob(digest, bytes, error)) return false;
    auto parsed = decode_manifest(bytes);
    if (!parsed.manifest) {
        error = parsed.error;
        return false;
    }
    manifest = std::move(*parsed.manifest);
    return true;
}

std::optional<Manifest> Store::build(const std::string& directory, std::string& error) {
    if (!is_directory(directory)) {
        error = directory + " is not a directory";
        return std::nullopt;
    }
    std::vector<std::pair<std::string, uint32_t>> files;
    if (!walk(directory, "", files, error)) return std::nullopt;
    std::sort(files.begin(), files.end());
    Manifest manifest;
    std::vector<uint8_t> content;
    for (const auto& [path, mode] : files) {
        if (!valid_package_path(path)) {
            error = "cannot package path '" + path + "'";
            return std::nullopt;
        }
        if (!identity::read_file(directory + "/" + path, content, error, size_t(1) << 40)) return std::nullopt;
        FileEntry entry;
        entry.path = path;
        entry.mode = mode;
        entry.size = content.size();
        entry.content = identity::sha256(content);
        for (uint64_t i = 0; i < chunk_count(entry.size); ++i) {
            Sha256Digest chunk;
            if (!put_blob(Bytes(content.data() + i * kChunkSize, chunk_length(entry.size, i)), chunk, error)) return std::nullopt;
            entry.chunks.push_back(chunk);
        }
        manifest.files.push_back(std::move(entry));
    }
    Sha256Digest digest;
    if (!put_blob(manifest.encode(), digest, error)) return std::nullopt;
    return manifest;
}

std::optional<Release> Store::accepted_release(const std::string& name) const {
    if (!identity::valid_machine_name(name)) return std::nullopt;
    std::vector<uint8_t> bytes;
    std::string error;
    if (!identity::read_file(release_path(name), bytes, error, kMaxReleaseSize)) return std::nullopt;
    auto parsed = decode_release(bytes);
    return parsed.release;
}

bool Store::put_release(const Release& release, std::string& error) {
    if (!ensure_directory(root_ + "/releases", error)) return false;
    return identity::write_file_atomically(release_path(release.name), release.encode(), 0644, error);
}

std::vector<Release> Store::releases() const {
    std::vector<Release> result;
    for (const std::string& name : list_directory(root_ + "/releases"))
        if (auto release = accepted_release(name)) result.push_back(std::move(*release));
    return result;
}

std::vector<std::string> Store::verify() const {
    std::vector<std::string> problems;
    std::vector<uint8_t> data;
    for (const Release& release : releases()) {
        Manifest manifest;
        std::string error;
        if (!read_manifest(release.manifest, manifest, error)) {
            problems.push_back(release.name + ": " + error);
            continue;
        }
        for (const FileEntry& file : manifest.files) {
            identity::Sha256 whole;
            for (size_t i = 0; i < file.chunks.size(); ++i) {
                if (!read_blob(file.chunks[i], data, error, kChunkSize) || data.size() != chunk_length(file.size, i)) {
                    problems.push_back(release.name + ": " + file.path + ": " + (error.empty() ? "chunk has the wrong length" : error));
                    break;
                }
                whole.update(data);
            }
            if (whole.finish() != file.content && problems.empty())
                problems.push_back(release.name + ": " + file.path + ": content hash mismatch");
        }
    }
    return problems;
}

size_t Store::collect_garbage(std::string& error) {
    std::set<std::string> live;
    for (const Release& release : releases()) {
        live.insert(blob_relative_path(release.manifest));
        Manifest manifest;
        if (!read_manifest(release.manifest, manifest, error)) return 0;  // never delete on doubt
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
