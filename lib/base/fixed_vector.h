// FixedVector<T, N>: a vector with inline storage for at most N elements, for bounded kernel
// tables. Adding to a full one fails visibly (try_append returns false) instead of allocating;
// indexing past size() traps. Copyable and movable when T is.
#pragma once

#include "base/span.h"
#include "base/utility.h"

namespace base {

template <class T, usize N>
class FixedVector {
public:
    constexpr FixedVector() = default;
    FixedVector(const FixedVector& other) { append_all(other); }
    FixedVector(FixedVector&& other) {
        for (T& item : other) (void)try_append(base::move(item));
        other.clear();
    }
    FixedVector& operator=(const FixedVector& other) {
        if (this != &other) {
            clear();
            append_all(other);
        }
        return *this;
    }
    FixedVector& operator=(FixedVector&& other) {
        if (this != &other) {
            clear();
            for (T& item : other) (void)try_append(base::move(item));
            other.clear();
        }
        return *this;
    }
    // Trivially destructible when T is, so kernel globals holding one need no destructor call.
    ~FixedVector() requires(is_trivially_destructible_v<T>) = default;
    ~FixedVector() requires(!is_trivially_destructible_v<T>) { clear(); }

    [[nodiscard]] bool try_append(const T& item) { return try_emplace(item); }
    [[nodiscard]] bool try_append(T&& item) { return try_emplace(base::move(item)); }
    template <class... Args>
    [[nodiscard]] bool try_emplace(Args&&... args) {
        if (size_ == N) return false;
        new (slot(size_)) T(base::forward<Args>(args)...);
        ++size_;
        return true;
    }

    // Inserts before `index` (index == size() appends); false if full or index is past the end.
    [[nodiscard]] bool insert_at(usize index, const T& item) { return insert_at(index, T(item)); }
    [[nodiscard]] bool insert_at(usize index, T&& item) {
        if (size_ == N || index > size_) return false;
        if (index == size_) return try_append(base::move(item));
        // Open a gap: the last element moves into fresh storage, the rest shift by assignment.
        new (slot(size_)) T(base::move(*slot(size_ - 1)));
        for (usize i = size_ - 1; i > index; --i) *slot(i) = base::move(*slot(i - 1));
        *slot(index) = base::move(item);
        ++size_;
        return true;
    }
    // Removes the element at `index`, keeping the order of the rest.
    void remove_at(usize index) {
        if (index >= size_) __builtin_trap();
        for (usize i = index; i + 1 < size_; ++i) *slot(i) = base::move(*slot(i + 1));
        --size_;
        slot(size_)->~T();
    }
    void pop_back() { remove_at(size_ - 1); }
    void clear() {
        while (size_ > 0) slot(--size_)->~T();
    }

    constexpr usize size() const { return size_; }
    static constexpr usize capacity() { return N; }
    constexpr bool empty() const { return size_ == 0; }
    constexpr bool full() const { return size_ == N; }

    T& operator[](usize index) {
        if (index >= size_) __builtin_trap();
        return *slot(index);
    }
    const T& operator[](usize index) const {
        if (index >= size_) __builtin_trap();
        return *slot(index);
    }
    T& front() { return (*this)[0]; }
    const T& front() const { return (*this)[0]; }
    T& back() { return (*this)[size_ - 1]; }
    const T& back() const { return (*this)[size_ - 1]; }
    T* data() { return slot(0); }
    const T* data() const { return slot(0); }
    T* begin() { return slot(0); }
    T* end() { return slot(size_); }
    const T* begin() const { return slot(0); }
    const T* end() const { return slot(size_); }
    Span<T> span() { return Span<T>(slot(0), size_); }
    Span<const T> span() const { return Span<const T>(slot(0), size_); }

private:
    void append_all(const FixedVector& other) {
        for (const T& item : other) (void)try_append(item);  // same capacity: always fits
    }
    T* slot(usize index) { return reinterpret_cast<T*>(storage_) + index; }
    const T* slot(usize index) const { return reinterpret_cast<const T*>(storage_) + index; }

    // Invariant: slots [0, size_) hold live objects, the rest are raw storage.
    // Zeroed so a global FixedVector is constant-initialized (no constructor runs at boot).
    alignas(T) unsigned char storage_[sizeof(T) * N] = {};
    usize size_ = 0;
};

}  // namespace base
