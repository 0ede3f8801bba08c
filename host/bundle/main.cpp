// vectra-bundle: packs and lists boot bundles on the host with the same lib/boot_bundle code
// the kernel and init read them with (docs/boot_bundle.md).
//   vectra-bundle pack OUT [--base BUNDLE] NAME=FILE ...   write OUT (atomically)
//   vectra-bundle list BUNDLE                               names, sizes, SHA-256, verified or not
// Exit status: 0 done, 1 refused (bad bundle, bad program, I/O), 2 usage.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "boot_bundle/reader.h"
#include "boot_bundle/writer.h"
#include "files/files.h"
#include "hash/sha256.h"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_refused = 1;
constexpr int exit_usage = 2;

// Programs and bundles are boot images; anything larger is a mistake, not a program.
constexpr size_t max_file_size = size_t(1) << 30;

int usage() {
    std::fprintf(stderr,
                 "usage: vectra-bundle pack OUT [--base BUNDLE] NAME=FILE ...\n"
                 "       vectra-bundle list BUNDLE\n"
                 "NAME: 1-32 characters from [A-Za-z0-9._-], starting with a letter or digit.\n"
                 "--base: start from BUNDLE's programs (each verified), in its order, then add these.\n");
    return exit_usage;
}

int refuse(const std::string& message) {
    std::fprintf(stderr, "vectra-bundle: %s\n", message.c_str());
    return exit_refused;
}

std::string hex(const hash::Sha256Digest& digest) {
    char text[hash::sha256_hex_size];
    hash::to_hex(digest, text);
    return std::string(text, sizeof text);
}

std::string to_string(base::StringView view) { return std::string(view.data(), view.size()); }

struct NamedProgram {
    std::string name;
    std::vector<uint8_t> bytes;
};

int pack(int argc, char** argv) {
    if (argc < 1) return usage();
    const std::string output = argv[0];
    std::vector<NamedProgram> programs;
    for (int i = 1; i < argc; ++i) {
        const std::string argument = argv[i];
        if (argument == "--base") {
            if (i + 1 >= argc) return usage();
            const std::string base_path = argv[++i];
            auto bytes = files::read_file(base_path, max_file_size);
            if (!bytes) return refuse(bytes.error());
            auto reader = boot_bundle::Reader::open({bytes->data(), bytes->size()});
            if (reader.is_error()) return refuse(base_path + ": " + reader.error().message);
            for (size_t index = 0; index < reader.value().count(); ++index) {
                const boot_bundle::Entry entry = reader.value().entry(index);
                auto verified = reader.value().verified_program(entry);
                if (verified.is_error())
                    return refuse(base_path + ": program " + to_string(entry.name) + ": " + verified.error().message);
                programs.push_back({to_string(entry.name), std::vector<uint8_t>(verified.value().begin(), verified.value().end())});
            }
            continue;
        }
        const size_t equals = argument.find('=');
        if (equals == std::string::npos || argument.rfind("--", 0) == 0) return usage();
        NamedProgram program{argument.substr(0, equals), {}};
        const std::string path = argument.substr(equals + 1);
        if (auto valid = boot_bundle::check_name({program.name.data(), program.name.size()}); valid.is_error())
            return refuse("program name \"" + program.name + "\": " + valid.error().message);
        auto bytes = files::read_file(path, max_file_size);
        if (!bytes) return refuse(bytes.error());
        program.bytes = std::move(*bytes);
        programs.push_back(std::move(program));
    }

    // Names are checked again by the writer; a duplicate is reported here with the name.
    for (size_t i = 0; i < programs.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (programs[i].name == programs[j].name) return refuse("two programs are named \"" + programs[i].name + "\"");
    std::vector<boot_bundle::Program> list;
    for (const auto& program : programs) list.push_back({{program.name.data(), program.name.size()}, {program.bytes.data(), program.bytes.size()}});
    const base::Span<const boot_bundle::Program> input(list.data(), list.size());
    auto size = boot_bundle::bundle_size(input);
    if (size.is_error()) return refuse(size.error().message);
    std::vector<uint8_t> bundle(size.value());
    auto written = boot_bundle::write(input, {bundle.data(), bundle.size()});
    if (written.is_error()) return refuse(written.error().message);
    // Read back what we wrote, as the kernel will, before replacing OUT.
    auto check = boot_bundle::Reader::open({bundle.data(), bundle.size()});
    if (check.is_error()) return refuse(std::string("the written bundle does not read back: ") + check.error().message);
    if (auto saved = files::write_file_atomically(output, {bundle.data(), bundle.size()}, 0644, files::Durability::Deferred); !saved)
        return refuse(saved.error());
    return exit_ok;
}

int list(int argc, char** argv) {
    if (argc != 1) return usage();
    const std::string path = argv[0];
    auto bytes = files::read_file(path, max_file_size);
    if (!bytes) return refuse(bytes.error());
    auto reader = boot_bundle::Reader::open({bytes->data(), bytes->size()});
    if (reader.is_error()) return refuse(path + ": " + reader.error().message);
    int status = exit_ok;
    std::printf("%zu program%s in %s\n", reader.value().count(), reader.value().count() == 1 ? "" : "s", path.c_str());
    for (size_t index = 0; index < reader.value().count(); ++index) {
        const boot_bundle::Entry entry = reader.value().entry(index);
        const bool verified = reader.value().verified_program(entry).is_ok();
        std::printf("%-32s %10llu  %s  %s\n", to_string(entry.name).c_str(), static_cast<unsigned long long>(entry.size),
                    hex(entry.sha256).c_str(), verified ? "ok" : "CORRUPT: bytes do not match the SHA-256");
        if (!verified) status = exit_refused;
    }
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    if (std::strcmp(argv[1], "pack") == 0) return pack(argc - 2, argv + 2);
    if (std::strcmp(argv[1], "list") == 0) return list(argc - 2, argv + 2);
    return usage();
}
