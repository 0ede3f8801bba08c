// libFuzzer target: arbitrary bytes as an ELF file, planned for both machines under a wide and
// a tight user range. plan_load must never read outside the input, and whatever it accepts must
// keep every promise of load_plan.h (checked here independently; a broken one aborts).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>

#include "elf/load_plan.h"

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

void check_plan(const elf::LoadPlan& plan, size_t file_size, const elf::LoadLimits& limits) {
    require(plan.segment_count >= 1 && plan.segment_count <= elf::max_load_segments);
    uint64_t total = 0;
    bool entry_in_code = false;
    for (size_t i = 0; i < plan.segment_count; ++i) {
        const elf::LoadSegment& segment = plan.segments[i];
        require(segment.memory_size > 0 && segment.file_size <= segment.memory_size);
        require(segment.file_offset <= file_size && segment.file_size <= file_size - segment.file_offset);
        require(!(segment.writable && segment.executable));
        require(segment.virtual_address % limits.page_size == segment.file_offset % limits.page_size);
        const uint64_t start = segment.page_start(limits.page_size), end = segment.page_end(limits.page_size);
        require(start >= limits.user_low && end <= limits.user_high && start < end);
        total += end - start;
        if (i > 0) require(plan.segments[i - 1].page_end(limits.page_size) <= start);  // ascending, disjoint
        if (segment.executable && plan.entry >= segment.virtual_address && plan.entry - segment.virtual_address < segment.file_size)
            entry_in_code = true;
    }
    require(entry_in_code);
    require(total == plan.total_memory && total <= limits.max_total_memory);
    if (plan.tls.has_value()) {
        require(plan.tls->file_size <= plan.tls->memory_size);
        require(plan.tls->alignment != 0 && (plan.tls->alignment & (plan.tls->alignment - 1)) == 0);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const elf::LoadLimits wide{.user_low = 0x10000, .user_high = 0x0000'7fff'ffff'f000, .max_total_memory = uint64_t(1) << 40};
    const elf::LoadLimits tight{.user_low = 0x200000, .user_high = 0x800000, .max_total_memory = 0x100000};
    for (elf::Machine machine : {elf::Machine::x86_64, elf::Machine::aarch64})
        for (const elf::LoadLimits& limits : {wide, tight}) {
            auto plan = elf::plan_load({data, size}, machine, limits);
            if (plan.is_ok()) check_plan(plan.value(), size, limits);
        }
    return 0;
}
