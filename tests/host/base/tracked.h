// A test value that counts its constructions and destructions, so container tests can check
// that every object made is destroyed exactly once (no leak, no double destroy).
#pragma once

namespace base_test {

struct Tracked {
    static inline int live = 0;         // constructed and not yet destroyed
    static inline int destroyed = 0;
    static void reset_counts() { live = destroyed = 0; }

    int value = 0;
    bool moved_from = false;

    explicit Tracked(int v) : value(v) { ++live; }
    Tracked(const Tracked& other) : value(other.value) { ++live; }
    Tracked(Tracked&& other) noexcept : value(other.value) {
        other.moved_from = true;
        ++live;
    }
    Tracked& operator=(const Tracked& other) {
        value = other.value;
        moved_from = false;
        return *this;
    }
    Tracked& operator=(Tracked&& other) noexcept {
        value = other.value;
        moved_from = false;
        other.moved_from = true;
        return *this;
    }
    ~Tracked() {
        --live;
        ++destroyed;
    }
    bool operator==(const Tracked& other) const { return value == other.value; }
};

}  // namespace base_test
