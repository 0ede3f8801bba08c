// Device tree validation and queries (see fdt.h). Header fields (big-endian u32):
//   0 magic, 4 totalsize, 8 off_dt_struct, 12 off_dt_strings, 16 off_mem_rsvmap, 20 version,
//   24 last_comp_version, 28 boot_cpuid_phys, 32 size_dt_strings, 36 size_dt_struct
#include "kernel/boot/fdt.h"

namespace kernel {
namespace {

using base::make_error;
using base::u32;
using base::u64;
using base::u8;
using Code = base::ErrorCode;

constexpr u32 align4(u32 value) { return (value + 3) & ~u32(3); }

// The node name without its "@unit-address".
base::StringView base_name(base::StringView name) {
    const base::usize at = name.find('@');
    return at == base::StringView::npos ? name : name.substr(0, at);
}

bool ranges_overlap(u64 a, u64 a_size, u64 b, u64 b_size) { return a < b + b_size && b < a + a_size; }

}  // namespace

base::Result<Fdt> Fdt::parse(base::Span<const u8> blob) {
    if (blob.size() < kHeaderSize) return make_error(Code::Malformed, "fdt: blob shorter than its header");
    const u8* h = blob.data();
    if (read_be32(h) != kMagic) return make_error(Code::Malformed, "fdt: bad magic");
    const u32 total = read_be32(h + 4), structure_offset = read_be32(h + 8), strings_offset = read_be32(h + 12),
              reservations_offset = read_be32(h + 16), version = read_be32(h + 20), last_compatible = read_be32(h + 24),
              strings_size = read_be32(h + 32), structure_size = read_be32(h + 36);
    if (total < kHeaderSize || total > blob.size()) return make_error(Code::Malformed, "fdt: totalsize larger than the blob");
    if (version < 16 || last_compatible > 17) return make_error(Code::Unsupported, "fdt: unsupported version");
    // Each block inside the blob, not overlapping the header or each other.
    if (u64(structure_offset) + structure_size > total || structure_offset < kHeaderSize)
        return make_error(Code::Malformed, "fdt: structure block out of bounds");
    if (u64(strings_offset) + strings_size > total || strings_offset < kHeaderSize)
        return make_error(Code::Malformed, "fdt: strings block out of bounds");
    if (reservations_offset < kHeaderSize || reservations_offset >= total)
        return make_error(Code::Malformed, "fdt: reservation block out of bounds");
    if (structure_offset % 4 != 0 || structure_size % 4 != 0) return make_error(Code::Malformed, "fdt: structure block misaligned");
    if (reservations_offset % 8 != 0) return make_error(Code::Malformed, "fdt: reservation block misaligned");
    if (ranges_overlap(structure_offset, structure_size, strings_offset, strings_size))
        return make_error(Code::Malformed, "fdt: structure and strings blocks overlap");

    Fdt fdt;
    fdt.blob_ = blob.first(total);
    fdt.total_size_ = total;
    fdt.structure_ = blob.subspan(structure_offset, structure_size);
    fdt.strings_ = blob.subspan(strings_offset, strings_size);

    // The reservation block: 16-byte entries up to a (0, 0) terminator, inside the blob and not
    // running into the structure or strings blocks that follow it.
    u64 limit = total;
    if (structure_offset > reservations_offset) limit = base::min<u64>(limit, structure_offset);
    if (strings_offset > reservations_offset) limit = base::min<u64>(limit, strings_offset);
    bool terminated = false;
    u64 at = reservations_offset;
    for (; at + 16 <= limit; at += 16) {
        const u64 address = read_be64(h + at), size = read_be64(h + at + 8);
        if (address == 0 && size == 0) {
            terminated = true;
            break;
        }
        u64 end = 0;
        if (!base::checked_add(address, size, &end)) return make_error(Code::Malformed, "fdt: memory reservation wraps around");
    }
    if (!terminated) return make_error(Code::Malformed, "fdt: memory reservation block is not terminated");
    fdt.reservations_ = blob.subspan(reservations_offset, static_cast<base::usize>(at + 16 - reservations_offset));

    TRY(fdt.validate_structure());
    return fdt;
}

// Walks every token once. After this, step() may assume every token, name and length is sound.
base::Result<void> Fdt::validate_structure() const {
    const u32 size = static_cast<u32>(structure_.size());
    const u8* s = structure_.data();
    u32 offset = 0;
    u32 depth = 0;
    bool seen_root = false;
    // Bound: each token takes at least 4 bytes, so there are at most size / 4 of them.
    for (u32 tokens = 0; tokens <= size / 4; ++tokens) {
        if (offset + 4 > size) return make_error(Code::Malformed, "fdt: structure block ends without an END token");
        const u32 token = read_be32(s + offset);
        offset += 4;
        switch (token) {
            case BeginNode: {
                if (depth == 0 && seen_root) return make_error(Code::Malformed, "fdt: more than one root node");
                seen_root = true;
                if (++depth > kMaxDepth) return make_error(Code::Malformed, "fdt: nodes nested too deeply");
                u32 end = offset;
                while (end < size && s[end] != 0) ++end;
                if (end >= size) return make_error(Code::Malformed, "fdt: node name is not terminated");
                offset = align4(end + 1);
                if (offset > size) return make_error(Code::Malformed, "fdt: node name runs past the structure block");
                break;
            }
            case EndNode:
                if (depth == 0) return make_error(Code::Malformed, "fdt: END_NODE without a node");
                --depth;
                break;
            case Prop: {
                if (depth == 0) return make_error(Code::Malformed, "fdt: property outside any node");
                if (offset + 8 > size) return make_error(Code::Malformed, "fdt: property header runs past the structure block");
                const u32 length = read_be32(s + offset), name_offset = read_be32(s + offset + 4);
                offset += 8;
                if (length > size - offset) return make_error(Code::Malformed, "fdt: property value runs past the structure block");
                if (name_offset >= strings_.size()) return make_error(Code::Malformed, "fdt: string offset past end of strings block");
                u32 end = name_offset;
                while (end < strings_.size() && strings_[end] != 0) ++end;
                if (end >= strings_.size()) return make_error(Code::Malformed, "fdt: property name is not terminated in the strings block");
                offset = align4(offset + length);
                if (offset > size) return make_error(Code::Malformed, "fdt: property padding runs past the structure block");
                break;
            }
            case Nop: break;
            case End:
                if (depth != 0) return make_error(Code::Malformed, "fdt: END token inside an open node");
                if (!seen_root) return make_error(Code::Malformed, "fdt: no root node");
                return {};
            default: return make_error(Code::Malformed, "fdt: unknown token in the structure block");
        }
    }
    return make_error(Code::Malformed, "fdt: structure block ends without an END token");
}

Fdt::Step Fdt::step(u32 offset) const {
    const u8* s = structure_.data();
    Step result{read_be32(s + offset), offset, offset + 4, {}, {}};
    if (result.token == BeginNode) {
        const auto* name = reinterpret_cast<const char*>(s + offset + 4);
        const base::usize length = base::c_string_length(name);
        result.name = base::StringView(name, length);
        result.next = align4(static_cast<u32>(offset + 4 + length + 1));
    } else if (result.token == Prop) {
        const u32 length = read_be32(s + offset + 4), name_offset = read_be32(s + offset + 8);
        result.name = base::StringView(reinterpret_cast<const char*>(strings_.data() + name_offset));
        result.value = structure_.subspan(offset + 12, length);
        result.next = align4(offset + 12 + length);
    }
    return result;
}

base::StringView Fdt::node_name(Node node) const { return step(node).name; }

base::Optional<base::Span<const u8>> Fdt::property(Node node, base::StringView name) const {
    // Properties come before the node's children.
    for (u32 offset = step(node).next;;) {
        const Step s = step(offset);
        if (s.token == Prop) {
            if (s.name == name) return s.value;
        } else if (s.token != Nop) {
            return base::none;
        }
        offset = s.next;
    }
}

base::Optional<base::StringView> Fdt::string_property(Node node, base::StringView name) const {
    const auto value = property(node, name);
    if (!value.has_value() || value->empty() || (*value)[value->size() - 1] != 0) return base::none;
    return base::StringView(reinterpret_cast<const char*>(value->data()), base::c_string_length(reinterpret_cast<const char*>(value->data())));
}

base::Optional<u32> Fdt::u32_property(Node node, base::StringView name) const {
    const auto value = property(node, name);
    if (!value.has_value() || value->size() != 4) return base::none;
    return read_be32(value->data());
}

base::Optional<Fdt::Node> Fdt::find_node(base::StringView path) const {
    if (path.empty() || path[0] != '/') return base::none;
    Node current = root();
    base::usize position = 1;
    while (position < path.size()) {
        base::usize end = path.find('/', position);
        if (end == base::StringView::npos) end = path.size();
        const base::StringView component = path.substr(position, end - position);
        const bool has_unit = component.find('@') != base::StringView::npos;
        base::Optional<Node> match;
        for_each_child(current, [&](Node child) {
            const base::StringView name = node_name(child);
            if (!match.has_value() && (has_unit ? name == component : base_name(name) == component)) match = child;
        });
        if (!match.has_value()) return base::none;
        current = *match;
        position = end + 1;
    }
    return current;
}

base::Optional<Fdt::Node> Fdt::find_compatible(base::StringView compatible) const {
    base::Optional<Node> found;
    for_each_node([&](Node node, Node) {
        if (found.has_value()) return;
        const auto list = property(node, "compatible");
        if (!list.has_value()) return;
        // A list of NUL-terminated strings.
        base::usize start = 0;
        for (base::usize i = 0; i < list->size(); ++i) {
            if ((*list)[i] != 0) continue;
            if (base::StringView(reinterpret_cast<const char*>(list->data() + start), i - start) == compatible) found = node;
            start = i + 1;
        }
    });
    return found;
}

Fdt::Node Fdt::parent_of(Node node) const {
    Node parent = root();
    for_each_node([&](Node candidate, Node candidate_parent) {
        if (candidate == node) parent = candidate_parent;
    });
    return parent;
}

u32 Fdt::address_cells_of(Node node) const { return u32_property(node, "#address-cells").value_or(2u); }
u32 Fdt::size_cells_of(Node node) const { return u32_property(node, "#size-cells").value_or(1u); }

namespace {

// The CPU id in a /cpus child's reg: one entry, no size (#size-cells 0), affinity bits only.
base::Result<u64> cpu_id_of(const Fdt& fdt, Fdt::Node cpu) {
    u64 id = 0;
    u32 entries = 0;
    auto reg = fdt.for_each_reg(cpu, [&](u64 address, u64) {
        id = address;
        ++entries;
    });
    if (reg.is_error()) return make_error(Code::Malformed, "fdt: a /cpus cpu node's reg cannot be decoded");
    if (entries != 1) return make_error(Code::Malformed, "fdt: a /cpus cpu node's reg is not exactly one CPU id");
    if ((id & ~kMpidrAffinityMask) != 0) return make_error(Code::Malformed, "fdt: a /cpus cpu id has bits outside the MPIDR affinity fields");
    return id;
}

// /cpus children with device_type "cpu" → cpu_ids, the boot CPU (boot_cpu_id) first and the
// others in tree order, at most kMaxCpus kept. Refused: no cpu node, a reg that is not one
// affinity value, the same id twice among those kept, a boot CPU the tree does not list.
base::Result<void> read_cpus(const Fdt& fdt, u64 boot_cpu_id, BootInfo& boot_info) {
    const auto cpus = fdt.find_node("/cpus");
    if (!cpus.has_value()) return make_error(Code::Malformed, "fdt: no /cpus node");
    // reg under /cpus is an id, not a range: #size-cells must say so (its default is 1).
    if (fdt.u32_property(*cpus, "#size-cells").value_or(1u) != 0)
        return make_error(Code::Malformed, "fdt: /cpus #size-cells is not 0");
    base::Result<void> status;
    bool boot_cpu_seen = false;
    boot_info.cpu_ids[0] = boot_cpu_id;
    boot_info.cpu_count = 1;  // the boot CPU's slot, confirmed below
    // Invariant: cpu_ids[1 .. cpu_count) are the non-boot CPUs seen so far, in tree order,
    // pairwise distinct and distinct from the boot CPU; cpu_count <= kMaxCpus.
    fdt.for_each_child(*cpus, [&](Fdt::Node child) {
        if (status.is_error()) return;
        const auto type = fdt.string_property(child, "device_type");
        if (!type.has_value() || !(*type == base::StringView("cpu"))) return;  // e.g. cpu-map
        const auto id = cpu_id_of(fdt, child);
        if (id.is_error()) {
            status = id.error();
            return;
        }
        if (id.value() == boot_cpu_id) {
            if (boot_cpu_seen) status = make_error(Code::Malformed, "fdt: two /cpus cpu nodes have the same id");
            boot_cpu_seen = true;
            return;
        }
        if (boot_info.cpu_count == BootInfo::kMaxCpus) return;  // more than the kernel keeps
        // Bound: cpu_count <= kMaxCpus entries.
        for (u32 i = 1; i < boot_info.cpu_count; ++i) {
            if (boot_info.cpu_ids[i] == id.value()) {
                status = make_error(Code::Malformed, "fdt: two /cpus cpu nodes have the same id");
                return;
            }
        }
        boot_info.cpu_ids[boot_info.cpu_count++] = id.value();
    });
    TRY(status);
    if (!boot_cpu_seen) return make_error(Code::Malformed, "fdt: the boot CPU's MPIDR affinity is not among the /cpus cpu nodes");
    return {};
}

// The PSCI conduit: "hvc" or "smc" from the node compatible with PSCI 0.2 or later (whose
// standard function ids, CPU_ON among them, the kernel uses). No such node: None (no CPU is
// started); a method that is missing or neither word is refused.
base::Result<void> read_psci_method(const Fdt& fdt, BootInfo& boot_info) {
    boot_info.psci_method = BootInfo::PsciMethod::None;
    auto psci = fdt.find_compatible("arm,psci-1.0");
    if (!psci.has_value()) psci = fdt.find_compatible("arm,psci-0.2");
    if (!psci.has_value()) return {};
    const auto method = fdt.string_property(*psci, "method");
    if (!method.has_value()) return make_error(Code::Malformed, "fdt: the psci node has no method string");
    if (*method == base::StringView("hvc")) {
        boot_info.psci_method = BootInfo::PsciMethod::Hvc;
    } else if (*method == base::StringView("smc")) {
        boot_info.psci_method = BootInfo::PsciMethod::Smc;
    } else {
        return make_error(Code::Malformed, "fdt: the psci node's method is neither \"hvc\" nor \"smc\"");
    }
    return {};
}

}  // namespace

base::Result<void> fill_boot_info_from_fdt(const Fdt& fdt, u64 fdt_physical, u64 boot_cpu_id, BootInfo& boot_info) {
    base::Result<void> status;
    bool found_memory = false;
    // RAM: every node with device_type "memory" (usually /memory@...).
    fdt.for_each_node([&](Fdt::Node node, Fdt::Node parent) {
        if (status.is_error() || parent != fdt.root()) return;
        const auto type = fdt.string_property(node, "device_type");
        if (!type.has_value() || !(*type == base::StringView("memory"))) return;
        auto reg = fdt.for_each_reg(node, [&](u64 address, u64 size) {
            if (size == 0 || status.is_error()) return;
            status = boot_info.memory.add(MemoryRegion{address, size, MemoryKind::Usable});
            found_memory = true;
        });
        if (reg.is_error()) status = reg;
    });
    TRY(status);
    if (!found_memory) return make_error(Code::Malformed, "fdt: no memory node");

    // Reserved: the reservation block and /reserved-memory's children.
    fdt.for_each_memory_reservation([&](u64 address, u64 size) {
        if (status.is_ok() && size != 0) status = boot_info.memory.reserve(address, size, MemoryKind::Reserved);
    });
    TRY(status);
    if (const auto reserved = fdt.find_node("/reserved-memory"); reserved.has_value()) {
        fdt.for_each_child(*reserved, [&](Fdt::Node child) {
            if (status.is_error()) return;
            // A child with only "size" asks the OS to place it: nothing lives there yet. A reg
            // that cannot be decoded would leave firmware memory allocatable: refuse the tree.
            if (!fdt.property(child, "reg").has_value()) return;
            auto reg = fdt.for_each_reg(child, [&](u64 address, u64 size) {
                if (status.is_ok() && size != 0) status = boot_info.memory.reserve(address, size, MemoryKind::Reserved);
            });
            if (reg.is_error())
                status = make_error(Code::Malformed, "fdt: a /reserved-memory child's reg cannot be decoded, so its memory cannot be kept out");
        });
    }
    TRY(status);
    TRY(reserve_boot_data(boot_info, fdt_physical, fdt.total_size(), MemoryKind::DeviceTree));

    // The command line.
    boot_info.command_line_storage[0] = '\0';
    boot_info.command_line = base::StringView(boot_info.command_line_storage, 0);
    if (const auto chosen = fdt.find_node("/chosen"); chosen.has_value()) {
        if (const auto arguments = fdt.string_property(*chosen, "bootargs"); arguments.has_value()) {
            const base::usize kept = base::min(arguments->size(), sizeof boot_info.command_line_storage - 1);
            for (base::usize i = 0; i < kept; ++i) {
                const char c = (*arguments)[i];
                boot_info.command_line_storage[i] = (c >= 0x20 && c < 0x7f) ? c : ' ';
            }
            boot_info.command_line_storage[kept] = '\0';
            boot_info.command_line = base::StringView(boot_info.command_line_storage, kept);
        }
        // The boot bundle (QEMU -initrd): linux,initrd-start/-end, each 32 or 64 bits, end
        // exclusive. The kernel maps it as RAM and init reads it in place, so all of it must be
        // free RAM from /memory — not a reservation, not the tree itself.
        const auto start = fdt.property(*chosen, "linux,initrd-start");
        const auto end = fdt.property(*chosen, "linux,initrd-end");
        if (start.has_value() != end.has_value())
            return make_error(Code::Malformed, "fdt: /chosen has only one of linux,initrd-start and linux,initrd-end");
        if (start.has_value() && end.has_value()) {
            auto cell_value = [](base::Span<const base::u8> bytes, u64& value) {
                if (bytes.size() == 4) value = Fdt::read_be32(bytes.data());
                else if (bytes.size() == 8) value = (u64(Fdt::read_be32(bytes.data())) << 32) | Fdt::read_be32(bytes.data() + 4);
                else return false;
                return true;
            };
            u64 first = 0, last = 0;
            if (!cell_value(*start, first) || !cell_value(*end, last) || last <= first)
                return make_error(Code::Malformed, "fdt: bad linux,initrd-start/end in /chosen");
            if (!boot_info.memory.is_free_ram(first, last - first))
                return make_error(Code::Malformed, "fdt: the initrd (boot bundle) is not in free RAM");
            TRY(reserve_boot_data(boot_info, first, last - first, MemoryKind::BootBundle));
            boot_info.boot_bundle = DeviceRange{first, last - first};
        }
    }

    TRY(read_cpus(fdt, boot_cpu_id, boot_info));
    TRY(read_psci_method(fdt, boot_info));
    return {};
}

}  // namespace kernel
