// Writing a package's files out of the store into a new directory, verified on the way: every
// chunk's hash and length and every file's whole hash are checked as it is written, and the
// directory appears under its name only when all of it is there (built beside it under a
// temporary name, then renamed), so an interrupted or refused extract leaves nothing behind.
#pragma once

#include <string>

#include "files/expected.h"
#include "packages/store.h"

namespace packages {

struct Extracted {
    size_t files = 0;
    uint64_t bytes = 0;
};

// `directory` must not exist yet. Files get the manifest's modes (less the umask).
[[nodiscard]] files::Expected<Extracted> extract_package(const Store& store, const Manifest& manifest, const std::string& directory);

}  // namespace packages
