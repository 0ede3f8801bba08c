// Optional<T>: a value or nothing, without exceptions or heap.
#pragma once

#include "base/utility.h"

namespace base {

struct None {
    explicit constexpr None(int) {}
};
inline constexpr None none{0};

template <class T>
class Optional {
public:
    constexpr Optional() : has_value_(false) {}
    constexpr Optional(None) : has_value_(false) {}
    constexpr Optional(const T& value) : has_value_(true) { new (&storage_) T(value); }
    constexpr Optional(T&& value) : has_value_(true) { new (&storage_) T(base::move(value)); }
    Optional(const Optional& other) : has_value_(other.has_value_) {
        if (has_value_) new (&storage_) T(other.value());
    }
    Optional(Optional&& other) : has_value_(other.has_value_) {
        if (has_value_) new (&storage_) T(base::move(other.value()));
    }
    Optional& operator=(const Optional& other) {
        if (this != &other) {
            reset();
            if (other.has_value_) emplace(other.value());
        }
        return *this;
    }
    Optional& operator=(Optional&& other) {
        if (this != &other) {
            reset();
            if (other.has_value_) emplace(base::move(other.value()));
        }
        return *this;
    }
    ~Optional() requires(__is_trivially_destructible(T)) = default;
    ~Optional() requires(!__is_trivially_destructible(T)) { reset(); }

    template <class... Args>
    T& emplace(Args&&... args) {
        reset();
        new (&storage_) T(base::forward<Args>(args)...);
        has_value_ = true;
        return value();
    }
    void reset() {
        if (has_value_) {
            value().~T();
            has_value_ = false;
        }
    }

    constexpr bool has_value() const { return has_value_; }
    constexpr explicit operator bool() const { return has_value_; }

    T& value() & {
        if (!has_value_) __builtin_trap();
        return *reinterpret_cast<T*>(&storage_);
    }
    const T& value() const& {
        if (!has_value_) __builtin_trap();
        return *reinterpret_cast<const T*>(&storage_);
    }
    T&& value() && { return base::move(value()); }

    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    template <class U>
    T value_or(U&& fallback) const {
        return has_value_ ? value() : static_cast<T>(base::forward<U>(fallback));
    }

private:
    alignas(T) unsigned char storage_[sizeof(T)] = {};
    bool has_value_;
};

}  // namespace base
