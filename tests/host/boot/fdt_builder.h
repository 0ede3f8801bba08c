// A tiny flattened-device-tree writer for tests: builds well-formed blobs that tests then
// break on purpose.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

class FdtBuilder {
public:
    void begin_node(const std::string& name) {
        token(1);
        for (char c : name) structure_.push_back(static_cast<uint8_t>(c));
        structure_.push_back(0);
        pad();
    }
    void end_node() { token(2); }
    void property(const std::string& name, const std::vector<uint8_t>& value) {
        token(3);
        be32(structure_, static_cast<uint32_t>(value.size()));
        be32(structure_, string_offset(name));
        structure_.insert(structure_.end(), value.begin(), value.end());
        pad();
    }
    void property_string(const std::string& name, const std::string& value) {
        std::vector<uint8_t> bytes(value.begin(), value.end());
        bytes.push_back(0);
        property(name, bytes);
    }
    void property_cells(const std::string& name, const std::vector<uint32_t>& cells) {
        std::vector<uint8_t> bytes;
        for (uint32_t cell : cells) be32(bytes, cell);
        property(name, bytes);
    }
    // A /cpus node as QEMU's virt writes it: one cpu@N per id (one-cell reg, no size).
    void cpus(const std::vector<uint32_t>& ids) {
        begin_node("cpus");
        property_cells("#address-cells", {1});
        property_cells("#size-cells", {0});
        for (uint32_t id : ids) {
            begin_node("cpu@" + std::to_string(id));
            property_string("device_type", "cpu");
            property_cells("reg", {id});
            end_node();
        }
        end_node();
    }
    void reservation(uint64_t address, uint64_t size) { reservations_.push_back({address, size}); }

    std::vector<uint8_t> finish() {
        token(9);
        std::vector<uint8_t> blob(40, 0);
        const uint32_t reservations_offset = 40;
        std::vector<uint8_t> reservation_block;
        for (auto [address, size] : reservations_) {
            be64(reservation_block, address);
            be64(reservation_block, size);
        }
        be64(reservation_block, 0);
        be64(reservation_block, 0);
        const uint32_t structure_offset = reservations_offset + static_cast<uint32_t>(reservation_block.size());
        const uint32_t strings_offset = structure_offset + static_cast<uint32_t>(structure_.size());
        const uint32_t total = strings_offset + static_cast<uint32_t>(strings_.size());
        put32(blob, 0, 0xd00dfeed);
        put32(blob, 4, total);
        put32(blob, 8, structure_offset);
        put32(blob, 12, strings_offset);
        put32(blob, 16, reservations_offset);
        put32(blob, 20, 17);
        put32(blob, 24, 16);
        put32(blob, 32, static_cast<uint32_t>(strings_.size()));
        put32(blob, 36, static_cast<uint32_t>(structure_.size()));
        blob.insert(blob.end(), reservation_block.begin(), reservation_block.end());
        blob.insert(blob.end(), structure_.begin(), structure_.end());
        blob.insert(blob.end(), strings_.begin(), strings_.end());
        return blob;
    }

    static void put32(std::vector<uint8_t>& blob, size_t at, uint32_t value) {
        for (int i = 0; i < 4; ++i) blob[at + i] = static_cast<uint8_t>(value >> (24 - 8 * i));
    }
    static uint32_t get32(const std::vector<uint8_t>& blob, size_t at) {
        return uint32_t(blob[at]) << 24 | uint32_t(blob[at + 1]) << 16 | uint32_t(blob[at + 2]) << 8 | blob[at + 3];
    }

private:
    static void be32(std::vector<uint8_t>& out, uint32_t value) {
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(value >> (24 - 8 * i)));
    }
    static void be64(std::vector<uint8_t>& out, uint64_t value) {
        be32(out, static_cast<uint32_t>(value >> 32));
        be32(out, static_cast<uint32_t>(value));
    }
    void token(uint32_t value) { be32(structure_, value); }
    void pad() {
        while (structure_.size() % 4) structure_.push_back(0);
    }
    uint32_t string_offset(const std::string& name) {
        const std::string haystack(strings_.begin(), strings_.end());
        size_t at = 0;
        while ((at = haystack.find(name, at)) != std::string::npos) {
            if ((at == 0 || haystack[at - 1] == 0) && at + name.size() < haystack.size() && haystack[at + name.size()] == 0)
                return static_cast<uint32_t>(at);
            ++at;
        }
        const auto offset = static_cast<uint32_t>(strings_.size());
        strings_.insert(strings_.end(), name.begin(), name.end());
        strings_.push_back(0);
        return offset;
    }

    std::vector<uint8_t> structure_, strings_;
    std::vector<std::pair<uint64_t, uint64_t>> reservations_;
};
