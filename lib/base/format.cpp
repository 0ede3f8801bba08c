// The non-template core of base::print: placeholder parsing, number and text padding.
#include "base/format.h"

namespace base {
namespace {

void write_repeated(Sink& sink, char c, usize count) {
    char chunk[16];
    for (char& slot : chunk) slot = c;
    while (count > 0) {
        const usize n = count < sizeof chunk ? count : sizeof chunk;
        sink.write(chunk, n);
        count -= n;
    }
}

// Writes `body` padded to spec.width according to the alignment (default: `default_align`).
void write_padded(Sink& sink, const FormatSpec& spec, StringView body, FormatSpec::Align default_align) {
    const usize padding = spec.width > body.size() ? spec.width - body.size() : 0;
    FormatSpec::Align align = spec.align == FormatSpec::Align::Default ? default_align : spec.align;
    usize before = 0;
    if (align == FormatSpec::Align::Right) before = padding;
    if (align == FormatSpec::Align::Center) before = padding / 2;
    write_repeated(sink, spec.fill, before);
    sink.write(body.data(), body.size());
    write_repeated(sink, spec.fill, padding - before);
}

// Parses the text between ':' and '}' into a spec; false if it is not a valid spec.
bool parse_spec(StringView text, FormatSpec& spec) {
    usize i = 0;
    auto align_of = [](char c, FormatSpec::Align& align) {
        switch (c) {
            case '<': align = FormatSpec::Align::Left; return true;
            case '>': align = FormatSpec::Align::Right; return true;
            case '^': align = FormatSpec::Align::Center; return true;
            default: return false;
        }
    };
    if (text.size() >= 2 && align_of(text[1], spec.align)) {
        spec.fill = text[0];
        i = 2;
    } else if (text.size() >= 1 && align_of(text[0], spec.align)) {
        i = 1;
    }
    if (i < text.size() && text[i] == '+') {
        spec.plus = true;
        ++i;
    }
    if (i < text.size() && text[i] == '#') {
        spec.alternate = true;
        ++i;
    }
    if (i < text.size() && text[i] == '0') {
        spec.zero_pad = true;
        ++i;
    }
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        spec.width = spec.width * 10 + u32(text[i] - '0');
        if (spec.width > FormatSpec::max_width) return false;  // an absurd width is a bug in the format string
        ++i;
    }
    if (i < text.size()) {
        const char type = text[i];
        if (type != 'x' && type != 'X' && type != 'b' && type != 'o' && type != 'd' && type != 'c') return false;
        spec.type = type;
        ++i;
    }
    return i == text.size();
}

}  // namespace

void format_unsigned(Sink& sink, const FormatSpec& spec, u64 magnitude, bool negative) {
    if (spec.type == 'c') {
        const char c = static_cast<char>(magnitude);
        write_padded(sink, spec, StringView(&c, 1), FormatSpec::Align::Left);
        return;
    }
    unsigned radix = 10;
    const char* digits = "0123456789abcdef";
    const char* prefix = "";
    switch (spec.type) {
        case 'x': radix = 16; prefix = "0x"; break;
        case 'X': radix = 16; prefix = "0X"; digits = "0123456789ABCDEF"; break;
        case 'b': radix = 2; prefix = "0b"; break;
        case 'o': radix = 8; prefix = "0o"; break;
        default: break;
    }
    // The number is: sign, prefix, zeros (for '0' padding), digits.
    char digits_reversed[64];  // a u64 in binary needs 64
    usize digit_count = 0;
    do {
        digits_reversed[digit_count++] = digits[magnitude % radix];
        magnitude /= radix;
    } while (magnitude != 0);

    char text[1 + 2 + 64];
    usize length = 0;
    if (negative) {
        text[length++] = '-';
    } else if (spec.plus) {
        text[length++] = '+';
    }
    if (spec.alternate)
        for (const char* p = prefix; *p != '\0'; ++p) text[length++] = *p;
    const usize sign_and_prefix = length;
    while (digit_count > 0) text[length++] = digits_reversed[--digit_count];

    if (spec.zero_pad && spec.align == FormatSpec::Align::Default) {
        // Zeros fill the width between the prefix and the digits: "-0x00ff".
        const usize zeros = spec.width > length ? spec.width - length : 0;
        sink.write(text, sign_and_prefix);
        write_repeated(sink, '0', zeros);
        sink.write(text + sign_and_prefix, length - sign_and_prefix);
        return;
    }
    write_padded(sink, spec, StringView(text, length), FormatSpec::Align::Right);
}

void format_address(Sink& sink, const FormatSpec& spec, uptr address) {
    FormatSpec hex = spec;
    if (hex.type != 'X') hex.type = 'x';
    hex.alternate = true;
    format_unsigned(sink, hex, address, false);
}

void format_value(Sink& sink, const FormatSpec& spec, const Error& error) {
    // Padding applies to the whole text, so it is measured first.
    char text[160];
    BufferSink buffer(text, sizeof text);
    const char* message = error.message != nullptr && error.message[0] != '\0' ? error.message : "(no message)";
    print(buffer, "{} ({})", message, error_code_name(error.code));
    format_text(sink, spec, buffer.view());
}

void format_text(Sink& sink, const FormatSpec& spec, StringView text) {
    write_padded(sink, spec, text, FormatSpec::Align::Left);
}

void print_arguments(Sink& sink, const char* format, const FormatArgument* arguments, usize count) {
    usize next_argument = 0;
    const char* literal = format;
    const char* p = format;
    auto flush_literal = [&](const char* end) {
        if (end > literal) sink.write(literal, static_cast<usize>(end - literal));
    };
    while (*p != '\0') {
        if (p[0] == '{' && p[1] == '{') {
            flush_literal(p + 1);  // keep one brace
            p += 2;
            literal = p;
            continue;
        }
        if (p[0] == '}' && p[1] == '}') {
            flush_literal(p + 1);
            p += 2;
            literal = p;
            continue;
        }
        if (p[0] != '{') {
            ++p;
            continue;
        }
        // A placeholder: find its end.
        const char* close = p + 1;
        while (*close != '\0' && *close != '}') ++close;
        if (*close == '\0') break;  // unterminated: print the rest as text
        flush_literal(p);
        FormatSpec spec;
        const StringView inside(p + 1, static_cast<usize>(close - p - 1));
        const bool valid = inside.empty() || (inside[0] == ':' && parse_spec(inside.substr(1), spec));
        if (!valid || next_argument >= count) {
            sink.write("{?}", 3);
        } else {
            arguments[next_argument].format(sink, spec, arguments[next_argument].value);
        }
        ++next_argument;
        p = close + 1;
        literal = p;
    }
    flush_literal(p + c_string_length(p));
}

void BufferSink::write(const char* data, usize length) {
    if (capacity_ == 0) {
        truncated_ = truncated_ || length > 0;
        return;
    }
    for (usize i = 0; i < length; ++i) {
        if (length_ + 1 >= capacity_) {
            truncated_ = true;
            break;
        }
        buffer_[length_++] = data[i];
    }
    buffer_[length_] = '\0';
}

}  // namespace base
