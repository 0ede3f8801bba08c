// Builds ELF64 executables byte by byte for the loader tests: a valid two-segment program by
// default (read-execute text holding the headers and the entry, read-write data with bss), whose
// every field a test may then break. Written independently of lib/elf's own reader.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace elf_test {

struct ProgramHeader {
    uint32_t type = 1;  // PT_LOAD
    uint32_t flags = 4;
    uint64_t offset = 0;
    uint64_t vaddr = 0;
    uint64_t paddr = 0;
    uint64_t filesz = 0;
    uint64_t memsz = 0;
    uint64_t align = 0x1000;
};

inline constexpr uint32_t PF_X = 1, PF_W = 2, PF_R = 4;
inline constexpr uint32_t PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_SHLIB = 5, PT_PHDR = 6, PT_TLS = 7;
inline constexpr uint32_t PT_GNU_EH_FRAME = 0x6474e550, PT_GNU_STACK = 0x6474e551, PT_GNU_RELRO = 0x6474e552;

struct ElfBuilder {
    uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
    uint16_t type = 2;       // ET_EXEC
    uint16_t machine = 62;   // EM_X86_64
    uint32_t version = 1;
    uint64_t entry = 0x400100;
    uint64_t phoff = 64;
    uint64_t shoff = 0;
    uint32_t flags = 0;
    uint16_t ehsize = 64;
    uint16_t phentsize = 56;
    // When set, written as e_phnum instead of headers.size().
    int phnum_override = -1;
    std::vector<ProgramHeader> headers;
    uint64_t file_size = 0x1100;

    // The default program: text [0x400000, 0x401000) from file offset 0 (headers included),
    // entry at 0x400100; data at 0x401000 with 0x100 bytes from the file and 0x2000 in memory.
    ElfBuilder() {
        headers.push_back({PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x400000, 0x1000, 0x1000, 0x1000});
        headers.push_back({PT_LOAD, PF_R | PF_W, 0x1000, 0x401000, 0x401000, 0x100, 0x2000, 0x1000});
        headers.push_back({PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 16});
    }

    std::vector<uint8_t> build() const {
        // A table far past the end (a test of e_phoff) is simply not written.
        const bool write_table = phoff < (uint64_t(1) << 32);
        const uint64_t table_end = write_table ? phoff + headers.size() * 56 : 0;
        std::vector<uint8_t> bytes(std::max<uint64_t>({file_size, table_end, 64}), 0);
        std::memcpy(bytes.data(), ident, 16);
        put(bytes, 16, type);
        put(bytes, 18, machine);
        put(bytes, 20, version);
        put(bytes, 24, entry);
        put(bytes, 32, phoff);
        put(bytes, 40, shoff);
        put(bytes, 48, flags);
        put(bytes, 52, ehsize);
        put(bytes, 54, phentsize);
        put(bytes, 56, static_cast<uint16_t>(phnum_override >= 0 ? phnum_override : static_cast<int>(headers.size())));
        for (size_t i = 0; write_table && i < headers.size(); ++i) {
            const ProgramHeader& h = headers[i];
            const uint64_t at = phoff + i * 56;
            put(bytes, at + 0, h.type);
            put(bytes, at + 4, h.flags);
            put(bytes, at + 8, h.offset);
            put(bytes, at + 16, h.vaddr);
            put(bytes, at + 24, h.paddr);
            put(bytes, at + 32, h.filesz);
            put(bytes, at + 40, h.memsz);
            put(bytes, at + 48, h.align);
        }
        // Some recognisable "code" at the entry point.
        if (entry >= 0x400000 && entry - 0x400000 + 4 <= bytes.size() && entry - 0x400000 >= table_end)
            std::memcpy(bytes.data() + (entry - 0x400000), "\xf4\xeb\xfd\x90", 4);
        bytes.resize(file_size);  // a file_size shorter than the table truncates it
        return bytes;
    }

private:
    template <class T>
    static void put(std::vector<uint8_t>& bytes, uint64_t at, T value) {
        for (size_t i = 0; i < sizeof(T); ++i) bytes[at + i] = static_cast<uint8_t>(value >> (8 * i));
    }
};

}  // namespace elf_test
