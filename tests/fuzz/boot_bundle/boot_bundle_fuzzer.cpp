// libFuzzer target: arbitrary bytes as a boot bundle. Reader::open must never read outside the
// input; on what it accepts, every lookup is safe, every entry lies inside the bundle, and when
// every program verifies, the writer makes exactly the same bytes from those programs (the
// format has one layout). Any broken promise aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "boot_bundle/reader.h"
#include "boot_bundle/writer.h"

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto opened = boot_bundle::Reader::open({data, size});
    if (opened.is_error()) return 0;
    const boot_bundle::Reader& reader = opened.value();
    const base::Span<const uint8_t> bundle = reader.bytes();
    require(bundle.data() == data && bundle.size() <= size);
    require(reader.count() <= boot_bundle::max_entries);

    std::vector<boot_bundle::Program> programs;
    bool all_verified = true;
    for (size_t index = 0; index < reader.count(); ++index) {
        const boot_bundle::Entry entry = reader.entry(index);
        require(boot_bundle::check_name(entry.name).is_ok());
        require(entry.offset % boot_bundle::program_alignment == 0);
        require(entry.offset <= bundle.size() && entry.size <= bundle.size() - entry.offset);
        auto found = reader.find(entry.name);
        require(found.has_value() && found->offset == entry.offset);
        (void)reader.find(entry.sha256);
        auto verified = reader.verified_program(entry.name);
        if (verified.is_error()) {
            require(verified.error().code == base::ErrorCode::Corrupt);
            all_verified = false;
            continue;
        }
        require(verified.value().data() == bundle.data() + entry.offset && verified.value().size() == entry.size);
        programs.push_back({entry.name, verified.value()});
    }
    require(reader.verified_program("no-such-program.").is_error());

    if (all_verified) {
        const base::Span<const boot_bundle::Program> input(programs.data(), programs.size());
        auto expected_size = boot_bundle::bundle_size(input);
        require(expected_size.is_ok() && expected_size.value() == bundle.size());
        std::vector<uint8_t> rewritten(expected_size.value());
        auto written = boot_bundle::write(input, {rewritten.data(), rewritten.size()});
        require(written.is_ok() && written.value() == bundle.size());
        require(std::memcmp(rewritten.data(), bundle.data(), bundle.size()) == 0);
    }
    return 0;
}
