// A flattened device tree (devicetree specification v0.4, chapter 5) reader. parse() checks
// the whole blob once — header, block bounds and alignment, the reservation block, every token
// of the structure block, every name and string offset, nesting depth — so the queries after
// it can walk the tree without further checks and can never read outside the blob.
#pragma once

#include "base/optional.h"
#include "base/result.h"
#include "base/span.h"
#include "base/string_view.h"
#include "kernel/boot/boot_info.h"

namespace kernel {

class Fdt {
public:
    static constexpr base::u32 kMagic = 0xd00dfeed;
    static constexpr base::u32 kMaxDepth = 32;
    static constexpr base::usize kHeaderSize = 40;

    // A node is named by the offset of its BEGIN_NODE token in the structure block.
    using Node = base::u32;

    static base::Result<Fdt> parse(base::Span<const base::u8> blob);

    base::u32 total_size() const { return total_size_; }
    Node root() const { return 0; }
    // Nodes by path ("/chosen", "/memory@40000000"); a component without "@unit" matches a
    // node whose name before the "@" equals it.
    base::Optional<Node> find_node(base::StringView path) const;
    // The first node (in tree order) whose "compatible" list contains `compatible`.
    base::Optional<Node> find_compatible(base::StringView compatible) const;
    base::StringView node_name(Node node) const;
    base::Optional<base::Span<const base::u8>> property(Node node, base::StringView name) const;
    // A property holding one NUL-terminated string (returned without the NUL).
    base::Optional<base::StringView> string_property(Node node, base::StringView name) const;
    base::Optional<base::u32> u32_property(Node node, base::StringView name) const;

    // Calls visit(child) for each direct child of `node`.
    template <class Visit>
    void for_each_child(Node node, Visit visit) const;
    // Calls visit(node, parent) for every node but the root, in tree order.
    template <class Visit>
    void for_each_node(Visit visit) const;
    // The parent of a node (the root is its own parent).
    Node parent_of(Node node) const;

    // Decodes "reg" of `node` with its parent's #address-cells / #size-cells; calls
    // visit(base, size) per entry. Malformed (wrong length, cells > 2) is an error.
    template <class Visit>
    base::Result<void> for_each_reg(Node node, Visit visit) const;

    // Calls visit(address, size) for each entry of the memory reservation block.
    template <class Visit>
    void for_each_memory_reservation(Visit visit) const;

    static base::u32 read_be32(const base::u8* at) {
        return base::u32(at[0]) << 24 | base::u32(at[1]) << 16 | base::u32(at[2]) << 8 | at[3];
    }
    static base::u64 read_be64(const base::u8* at) { return base::u64(read_be32(at)) << 32 | read_be32(at + 4); }

private:
    enum Token : base::u32 { BeginNode = 1, EndNode = 2, Prop = 3, Nop = 4, End = 9 };
    struct Step {
        base::u32 token;
        base::u32 offset;       // of the token
        base::u32 next;         // offset of the following token
        base::StringView name;  // node name (BeginNode) or property name (Prop)
        base::Span<const base::u8> value;  // property value (Prop)
    };
    // Decodes the (already validated) token at `offset`.
    Step step(base::u32 offset) const;
    base::Result<void> validate_structure() const;
    base::u32 address_cells_of(Node node) const;
    base::u32 size_cells_of(Node node) const;

    base::Span<const base::u8> blob_;
    base::Span<const base::u8> structure_;
    base::Span<const base::u8> strings_;
    base::Span<const base::u8> reservations_;
    base::u32 total_size_ = 0;
};

// The bits of MPIDR_EL1 that name a CPU (Aff3 in [39:32], Aff2..Aff0 in [23:0]). A /cpus cpu
// node's reg holds exactly these (Aff3 in the upper cell when #address-cells is 2), and so does
// BootInfo::cpu_ids on aarch64.
inline constexpr base::u64 kMpidrAffinityMask = 0xff'00ff'ffff;

// Fills BootInfo from the tree: /memory → usable RAM; /reserved-memory children and the
// reservation block → reserved; the blob itself → DeviceTree; /chosen/bootargs → the command
// line; /cpus/cpu* reg → cpu_ids and cpu_count, the CPU whose id is `boot_cpu_id` (the boot
// CPU's MPIDR_EL1 affinity bits) first; the PSCI node's method → psci_method.
base::Result<void> fill_boot_info_from_fdt(const Fdt& fdt, base::u64 fdt_physical, base::u64 boot_cpu_id, BootInfo& boot_info);

// --- templates ---

template <class Visit>
void Fdt::for_each_child(Node node, Visit visit) const {
    base::u32 offset = step(node).next;
    int depth = 0;
    for (;;) {  // bounded: the structure was validated, so END_NODE of `node` is reached
        const Step s = step(offset);
        if (s.token == BeginNode) {
            if (depth == 0) visit(Node(s.offset));
            ++depth;
        } else if (s.token == EndNode) {
            if (depth == 0) return;
            --depth;
        } else if (s.token == End) {
            return;
        }
        offset = s.next;
    }
}

template <class Visit>
void Fdt::for_each_node(Visit visit) const {
    Node stack[kMaxDepth + 1];
    int depth = 0;
    base::u32 offset = 0;
    for (;;) {
        const Step s = step(offset);
        if (s.token == BeginNode) {
            if (depth > 0) visit(Node(s.offset), stack[depth - 1]);
            stack[depth++] = s.offset;
        } else if (s.token == EndNode) {
            if (--depth == 0) return;
        } else if (s.token == End) {
            return;
        }
        offset = s.next;
    }
}

template <class Visit>
base::Result<void> Fdt::for_each_reg(Node node, Visit visit) const {
    const auto reg = property(node, "reg");
    if (!reg.has_value()) return base::make_error(base::ErrorCode::NotFound, "fdt: node has no reg property");
    const Node parent = parent_of(node);
    const base::u32 address_cells = address_cells_of(parent), size_cells = size_cells_of(parent);
    if (address_cells == 0 || address_cells > 2 || size_cells > 2)
        return base::make_error(base::ErrorCode::Unsupported, "fdt: #address-cells or #size-cells out of range");
    const base::usize entry = (address_cells + size_cells) * 4;
    if (reg->size() % entry != 0) return base::make_error(base::ErrorCode::Malformed, "fdt: reg length is not a whole number of entries");
    for (base::usize at = 0; at < reg->size(); at += entry) {
        const base::u8* p = reg->data() + at;
        const base::u64 address = address_cells == 2 ? read_be64(p) : read_be32(p);
        p += address_cells * 4;
        const base::u64 size = size_cells == 2 ? read_be64(p) : (size_cells == 1 ? read_be32(p) : 0);
        visit(address, size);
    }
    return {};
}

template <class Visit>
void Fdt::for_each_memory_reservation(Visit visit) const {
    for (base::usize at = 0; at + 16 <= reservations_.size(); at += 16) {
        const base::u64 address = read_be64(reservations_.data() + at);
        const base::u64 size = read_be64(reservations_.data() + at + 8);
        if (address == 0 && size == 0) return;
        visit(address, size);
    }
}

}  // namespace kernel
