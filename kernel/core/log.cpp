// The console sink behind kernel::log and panics.
#include "kernel/core/log.h"

#include "arch/arch.h"

namespace kernel {
namespace {

class ConsoleSink final : public base::Sink {
public:
    void write(const char* data, base::usize length) override { arch::console_write(data, length); }
};

ConsoleSink console_sink;

}  // namespace

base::Sink& console() { return console_sink; }

}  // namespace kernel
