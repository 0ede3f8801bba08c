// The parts of <new> the runtime defines operators for. A freestanding build has no <new>, so
// they are declared here (as the C++ standard spells them; clang agrees with these when it
// declares the global operators itself).
#pragma once

#if __STDC_HOSTED__
#include <new>
#else
namespace std {
enum class align_val_t : decltype(sizeof(0)) {};
struct nothrow_t {
    explicit nothrow_t() = default;
};
extern const nothrow_t nothrow;
}  // namespace std
#endif
