// Per-round samples for `bench smp`, shared by the VectraOS program (user/bench-smp) and its
// Linux twin (bench/smp/linux): a fixed array and its median, so that a round in which the host
// descheduled a virtual CPU moves the median of a latency row, not its figure. Plain C++ with no
// library: both programs are freestanding.
#pragma once

namespace bench_smp {

class Samples {
public:
    static constexpr unsigned long long kCapacity = 4096;

    void clear() { count_ = 0; }
    // Keeps the first kCapacity samples; later ones are counted out (the median is of these).
    void add(unsigned long long value) {
        if (count_ < kCapacity) values_[count_++] = value;
    }
    unsigned long long count() const { return count_; }

    // The median (the upper one of an even count); 0 when empty. Reorders the samples.
    unsigned long long median() {
        if (count_ == 0) return 0;
        const unsigned long long wanted = count_ / 2;
        unsigned long long low = 0, high = count_ - 1;
        // Quickselect. Invariant: the wanted element lies in [low, high]. Bound: each pass
        // shrinks the range by at least the pivot.
        while (low < high) {
            const unsigned long long pivot = values_[low + (high - low) / 2];
            unsigned long long left = low, right = high;
            while (left <= right) {
                while (values_[left] < pivot) ++left;
                while (values_[right] > pivot) --right;
                if (left <= right) {
                    const unsigned long long swapped = values_[left];
                    values_[left] = values_[right];
                    values_[right] = swapped;
                    ++left;
                    if (right == 0) break;
                    --right;
                }
            }
            if (wanted <= right) high = right;
            else if (wanted >= left) low = left;
            else break;  // between right and left: all equal to the pivot
        }
        return values_[wanted];
    }

private:
    unsigned long long values_[kCapacity];
    unsigned long long count_ = 0;
};

}  // namespace bench_smp
