// Span<T>: a pointer and a length. Indexing past the end traps (a caller bug); slicing clips to
// the span, so a bad offset read from a blob yields a shorter span, never a wild read.
#pragma once

#include "base/utility.h"

namespace base {

template <class T>
class Span {
public:
    constexpr Span() = default;
    constexpr Span(T* data, usize size) : data_(data), size_(size) {}
    template <usize N>
    constexpr Span(T (&array)[N]) : data_(array), size_(N) {}
    // Span<const T> from Span<T>.
    template <class U>
        requires(is_same_v<const U, T> && !is_same_v<U, T>)
    constexpr Span(Span<U> other) : data_(other.data()), size_(other.size()) {}

    constexpr T* data() const { return data_; }
    constexpr usize size() const { return size_; }
    constexpr usize size_bytes() const { return size_ * sizeof(T); }
    constexpr bool empty() const { return size_ == 0; }
    constexpr T& operator[](usize index) const {
        if (index >= size_) __builtin_trap();
        return data_[index];
    }
    constexpr T& front() const { return (*this)[0]; }
    constexpr T& back() const { return (*this)[size_ - 1]; }
    constexpr T* begin() const { return data_; }
    constexpr T* end() const { return data_ + size_; }

    // [offset, offset + count), clipped to the span.
    constexpr Span subspan(usize offset, usize count = ~usize(0)) const {
        if (offset > size_) offset = size_;
        if (count > size_ - offset) count = size_ - offset;
        return Span(data_ + offset, count);
    }
    // The first / last `count` elements (all of them when there are fewer).
    constexpr Span first(usize count) const { return subspan(0, count); }
    constexpr Span last(usize count) const { return count >= size_ ? *this : subspan(size_ - count); }

private:
    T* data_ = nullptr;
    usize size_ = 0;
};

// The bytes of a span of plain data.
template <class T>
Span<const u8> as_bytes(Span<T> span) {
    return Span<const u8>(reinterpret_cast<const u8*>(span.data()), span.size_bytes());
}

}  // namespace base
