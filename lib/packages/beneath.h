// Opening files under a directory without ever following a symlink: each component is opened
// with O_NOFOLLOW relative to the one before, so a link planted anywhere on the path (or
// swapped in between a check and the open) fails the open instead of leading elsewhere.
// Callers check what they got with fstat on the descriptor, never by name.
#pragma once

#include <string_view>

namespace packages {

// A descriptor for the regular file at `path` ('/'-separated, relative) under the directory
// `directory_fd`, opened O_RDONLY|O_NONBLOCK|O_CLOEXEC; -1 (errno set; ELOOP for a symlink,
// EINVAL when it is not a regular file) otherwise.
int open_file_beneath(int directory_fd, std::string_view path);

}  // namespace packages
