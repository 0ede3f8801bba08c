// FixedVector<T, N>: a vector with inline storage for at most N elements; appending to a full
// one fails visibly instead of allocating.
#pragma once

#include "base/span.h"
#include "base/utility.h"

namespace base {

template <class T, usize N>
class FixedVector {
public:
    constexpr FixedVector() = default;
    FixedVector(const FixedVector& other) {
        for (const T& item : other) (void)try_append(item);
    }
    FixedVector& operator=(const FixedVector& other) {
        if (this != &other) {
            clear();
            for (const T& item : other) (void)try_append(item);
        }
        return *this;
    }
    // Trivially destructible when T is, so kernel globals holding one need no destructor call.
    ~FixedVector() requires(__is_trivially_destructible(T)) = default;
    ~FixedVector() requires(!__is_trivially_destructible(T)) { clear(); }

    [[nodiscard]] bool try_append(const T& item) {
        if (size_ == N) return false;
        new (slot(size_)) T(item);
        ++size_;
        return true;
    }
    [[nodiscard]] bool try_append(T&& item) {
        if (size_ == N) return false;
        new (slot(size_)) T(base::move(item));
        ++size_;
        return true;
    }
    // Inserts before `index` (index == size() appends).
    [[nodiscard]] bool insert_at(usize index, const T& item) {
        if (size_ == N || index > size_) return false;
        new (slot(size_)) T(item);  // grow by one, then rotate the new item into place
        ++size_;
        for (usize i = size_ - 1; i > index; --i) base::swap((*this)[i], (*this)[i - 1]);
        return true;
    }
    void remove_at(usize index) {
        if (index >= size_) __builtin_trap();
        for (usize i = index; i + 1 < size_; ++i) (*this)[i] = base::move((*this)[i + 1]);
        --size_;
        slot(size_)->~T();
    }
    void clear() {
        while (size_ > 0) slot(--size_)->~T();
    }

    usize size() const { return size_; }
    static constexpr usize capacity() { return N; }
    bool empty() const { return size_ == 0; }
    bool full() const { return size_ == N; }

    T& operator[](usize index) {
        if (index >= size_) __builtin_trap();
        return *slot(index);
    }
    const T& operator[](usize index) const {
        if (index >= size_) __builtin_trap();
        return *slot(index);
    }
    T* begin() { return slot(0); }
    T* end() { return slot(size_); }
    const T* begin() const { return slot(0); }
    const T* end() const { return slot(size_); }
    Span<T> span() { return Span<T>(slot(0), size_); }
    Span<const T> span() const { return Span<const T>(slot(0), size_); }

private:
    T* slot(usize index) { return reinterpret_cast<T*>(storage_) + index; }
    const T* slot(usize index) const { return reinterpret_cast<const T*>(storage_) + index; }

    alignas(T) unsigned char storage_[sizeof(T) * N] = {};  // zeroed: lets globals be constant-initialized
    usize size_ = 0;
};

}  // namespace base
