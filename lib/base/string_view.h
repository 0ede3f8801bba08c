// StringView: a non-owning view of characters (not necessarily NUL-terminated), for names and
// text found in boot blobs, command lines and messages. Slicing clips to the view, so a bad
// offset gives an empty or shorter view rather than a read past the end.
#pragma once

#include "base/types.h"

namespace base {

// The length of a NUL-terminated string; `text` must not be null.
constexpr usize c_string_length(const char* text) {
    usize length = 0;
    while (text[length] != '\0') ++length;
    return length;
}

class StringView {
public:
    static constexpr usize npos = ~usize(0);

    constexpr StringView() = default;
    // A null pointer gives the empty view.
    constexpr StringView(const char* text) : data_(text), size_(text ? c_string_length(text) : 0) {}
    constexpr StringView(const char* data, usize size) : data_(data), size_(size) {}

    constexpr const char* data() const { return data_; }
    constexpr usize size() const { return size_; }
    constexpr usize length() const { return size_; }
    constexpr bool empty() const { return size_ == 0; }
    constexpr char operator[](usize index) const {
        if (index >= size_) __builtin_trap();  // reading past the view is a caller bug
        return data_[index];
    }
    constexpr const char* begin() const { return data_; }
    constexpr const char* end() const { return data_ + size_; }

    // Characters [start, start + count), clipped to the view.
    constexpr StringView substr(usize start, usize count = npos) const {
        if (start > size_) start = size_;
        if (count > size_ - start) count = size_ - start;
        return StringView(data_ + start, count);
    }

    constexpr bool operator==(StringView other) const {
        if (size_ != other.size_) return false;
        for (usize i = 0; i < size_; ++i)
            if (data_[i] != other.data_[i]) return false;
        return true;
    }

    constexpr bool starts_with(StringView prefix) const { return prefix.size_ <= size_ && substr(0, prefix.size_) == prefix; }
    constexpr bool starts_with(char c) const { return size_ > 0 && data_[0] == c; }
    constexpr bool ends_with(StringView suffix) const {
        return suffix.size_ <= size_ && substr(size_ - suffix.size_) == suffix;
    }
    constexpr bool ends_with(char c) const { return size_ > 0 && data_[size_ - 1] == c; }

    // Index of the first `wanted` at or after `from`, or npos.
    constexpr usize find(char wanted, usize from = 0) const {
        for (usize i = from; i < size_; ++i)
            if (data_[i] == wanted) return i;
        return npos;
    }
    constexpr usize find(StringView needle, usize from = 0) const {
        if (needle.size_ > size_) return npos;
        for (usize i = from; i <= size_ - needle.size_; ++i)
            if (substr(i, needle.size_) == needle) return i;
        return npos;
    }
    // Index of the last `wanted`, or npos.
    constexpr usize find_last(char wanted) const {
        for (usize i = size_; i > 0; --i)
            if (data_[i - 1] == wanted) return i - 1;
        return npos;
    }
    constexpr bool contains(char wanted) const { return find(wanted) != npos; }
    constexpr bool contains(StringView needle) const { return find(needle) != npos; }

private:
    const char* data_ = nullptr;
    usize size_ = 0;
};

}  // namespace base
