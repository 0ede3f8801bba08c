// See beneath.h. Invariant of the loop: `at` is a directory reached without following a link.
#include "packages/beneath.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace packages {

int open_file_beneath(int directory_fd, std::string_view path) {
    int at = directory_fd;
    for (;;) {
        const size_t slash = path.find('/');
        const bool last = slash == std::string_view::npos;
        const std::string part(path.substr(0, slash));
        if (part.empty() || part == "." || part == "..") {  // never up, never the same place twice
            if (at != directory_fd) close(at);
            errno = EINVAL;
            return -1;
        }
        const int fd = openat(at, part.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? O_NONBLOCK : O_DIRECTORY));
        const int saved = errno;
        if (at != directory_fd) close(at);
        if (fd < 0) {
            errno = saved;
            return -1;
        }
        if (last) {
            struct stat st{};
            if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                errno = EINVAL;
                return -1;
            }
            return fd;
        }
        at = fd;
        path.remove_prefix(slash + 1);
    }
}

}  // namespace packages
