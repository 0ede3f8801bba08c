// Type-safe formatted printing into a Sink, without heap or floating point:
//     print(sink, "frame {:#x} of {} ({:>6})", address, count, name);
// Placeholders: {} or {:spec} with spec = [[fill]<|>|^][+][#][0][width][x|X|b|o|d|c].
// "{{" and "}}" print braces. A placeholder with no argument left, or with a spec that does not
// parse, prints "{?}" (a visible mistake, never a crash); arguments left over are ignored.
// Other types join in by declaring format_value(Sink&, const FormatSpec&, const T&) where
// argument-dependent lookup finds it (beside the type).
#pragma once

#include "base/error.h"
#include "base/string_view.h"
#include "base/type_traits.h"
#include "base/types.h"

namespace base {

class Sink {
public:
    virtual void write(const char* data, usize length) = 0;

protected:
    ~Sink() = default;  // sinks are never deleted through this interface
};

struct FormatSpec {
    enum class Align : u8 { Default, Left, Right, Center };  // default: numbers right, text left
    char fill = ' ';
    Align align = Align::Default;
    bool plus = false;       // '+': a sign on non-negative numbers too
    bool alternate = false;  // '#': 0x / 0X / 0b / 0o prefix
    bool zero_pad = false;   // '0': pad numbers with zeros after the sign and prefix
    u32 width = 0;           // at most max_width
    char type = 0;           // 0, 'x', 'X', 'b', 'o', 'd', 'c'

    static constexpr u32 max_width = 4096;
};

// The building blocks (format.cpp).
void format_unsigned(Sink& sink, const FormatSpec& spec, u64 magnitude, bool negative);
void format_text(Sink& sink, const FormatSpec& spec, StringView text);

inline void format_value(Sink& sink, const FormatSpec& spec, StringView text) { format_text(sink, spec, text); }
inline void format_value(Sink& sink, const FormatSpec& spec, const char* text) {
    format_text(sink, spec, text ? StringView(text) : StringView("(null)"));
}
inline void format_value(Sink& sink, const FormatSpec& spec, char* text) { format_value(sink, spec, static_cast<const char*>(text)); }
inline void format_value(Sink& sink, const FormatSpec& spec, bool value) {
    format_text(sink, spec, value ? StringView("true") : StringView("false"));
}
inline void format_value(Sink& sink, const FormatSpec& spec, char value) {
    if (spec.type != 0 && spec.type != 'c') return format_unsigned(sink, spec, static_cast<u8>(value), false);
    format_text(sink, spec, StringView(&value, 1));
}

#define VECTRA_FORMAT_SIGNED(T)                                                                  \
    inline void format_value(Sink& sink, const FormatSpec& spec, T value) {                     \
        const bool negative = value < 0;                                                         \
        format_unsigned(sink, spec, negative ? u64(0) - u64(value) : u64(value), negative);     \
    }
#define VECTRA_FORMAT_UNSIGNED(T) \
    inline void format_value(Sink& sink, const FormatSpec& spec, T value) { format_unsigned(sink, spec, u64(value), false); }
VECTRA_FORMAT_SIGNED(signed char)
VECTRA_FORMAT_SIGNED(short)
VECTRA_FORMAT_SIGNED(int)
VECTRA_FORMAT_SIGNED(long)
VECTRA_FORMAT_SIGNED(long long)
VECTRA_FORMAT_UNSIGNED(unsigned char)
VECTRA_FORMAT_UNSIGNED(unsigned short)
VECTRA_FORMAT_UNSIGNED(unsigned int)
VECTRA_FORMAT_UNSIGNED(unsigned long)
VECTRA_FORMAT_UNSIGNED(unsigned long long)
#undef VECTRA_FORMAT_SIGNED
#undef VECTRA_FORMAT_UNSIGNED

// Any other pointer prints as its address in hex, 0x first.
void format_address(Sink& sink, const FormatSpec& spec, uptr address);
template <class T>
void format_value(Sink& sink, const FormatSpec& spec, T* pointer) {
    format_address(sink, spec, reinterpret_cast<uptr>(pointer));
}
inline void format_value(Sink& sink, const FormatSpec& spec, decltype(nullptr)) { format_address(sink, spec, 0); }

// An enum without its own format_value prints its number.
template <class T>
    requires(is_enum_v<T>)
void format_value(Sink& sink, const FormatSpec& spec, T value) {
    const auto number = static_cast<__underlying_type(T)>(value);
    if constexpr (is_signed_v<__underlying_type(T)>) {
        format_unsigned(sink, spec, number < 0 ? u64(0) - u64(number) : u64(number), number < 0);
    } else {
        format_unsigned(sink, spec, u64(number), false);
    }
}

// Errors print their message and code: "fdt: header too short (malformed)".
inline void format_value(Sink& sink, const FormatSpec& spec, ErrorCode code) { format_text(sink, spec, error_code_name(code)); }
void format_value(Sink& sink, const FormatSpec& spec, const Error& error);

struct FormatArgument {
    const void* value;
    void (*format)(Sink&, const FormatSpec&, const void*);
};

template <class T>
FormatArgument make_format_argument(const T& value) {
    return FormatArgument{&value, [](Sink& sink, const FormatSpec& spec, const void* pointer) {
                              format_value(sink, spec, *static_cast<const T*>(pointer));
                          }};
}

void print_arguments(Sink& sink, const char* format, const FormatArgument* arguments, usize count);

template <class... Args>
void print(Sink& sink, const char* format, const Args&... args) {
    if constexpr (sizeof...(Args) == 0) {
        print_arguments(sink, format, nullptr, 0);
    } else {
        const FormatArgument arguments[] = {make_format_argument(args)...};
        print_arguments(sink, format, arguments, sizeof...(Args));
    }
}

// A sink writing into a caller's buffer: always NUL-terminated (when it has room for anything),
// keeps what fits and remembers that the rest was cut off.
class BufferSink final : public Sink {
public:
    // `capacity` counts the terminating NUL.
    BufferSink(char* buffer, usize capacity) : buffer_(buffer), capacity_(capacity) {
        if (capacity_ > 0) buffer_[0] = '\0';
    }
    void write(const char* data, usize length) override;
    usize length() const { return length_; }
    bool truncated() const { return truncated_; }
    StringView view() const { return StringView(buffer_, length_); }

private:
    char* buffer_;
    usize capacity_;
    usize length_ = 0;
    bool truncated_ = false;
};

// Formats into `buffer` (NUL-terminated, truncated to fit); returns the length written, not
// counting the NUL.
template <class... Args>
usize format_to(char* buffer, usize capacity, const char* format, const Args&... args) {
    BufferSink sink(buffer, capacity);
    print(sink, format, args...);
    return sink.length();
}

}  // namespace base
