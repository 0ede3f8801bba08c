// A Capability is one node of the derivation tree: a reference to an Object (retained while the
// node holds it), the rights it grants, and links to what it was derived from and what was
// derived from it. It is also the storage the node lives in — a table slot or a message's
// in-flight place — so it carries that storage's generation, bumped each time it is emptied.
//
// The tree (invariants, checked by the host tests after every operation):
//   T1. A live node's `sibling` link is on exactly one ring: its parent's `children` ring
//       (whose sentinel is the parent's `children` link), or, for a root, a ring without a
//       sentinel holding it alone or with other roots that once shared a parent.
//   T2. The descendants of X are exactly the nodes reached from X's `children` ring, its
//       members' rings, and so on; every one refers to X's object (deriving never changes it).
//   T3. An empty node holds no object and no reference, and both its links point at
//       themselves; it is on no ring.
// Operations keep them in O(1) each:
//   - derive: the child joins the end of the parent's children ring.
//   - remove: the node's children take its place on its own ring, in order — they become
//     children of its parent (or roots), so whoever could revoke them before still can, and
//     a sibling of the removed node never can (the "sibling case").
//   - move: the new storage takes the old one's place on both rings, so the tree survives a
//     transfer (the old storage becomes empty).
//   - revoke: removes the first child, whose children then become first children; one node per
//     step, so a revoke of any size is done in bounded steps.
// A node is kept in one of three kinds of storage: a table slot, a message's in-flight place
// (both passive: deleting the node just empties them), or a HeldCapability — a kernel
// structure whose existence the node stands for (a Reticle mapping). Deleting a held node, for
// whatever reason, tells its holder, which then undoes what the node allowed (unmaps).
// seL4 keeps its derivations in a "mapping database" (one list in preorder). Explicit rings
// cost two more pointers per node but make removing a node with descendants O(1): in a preorder
// list with depths, the removed node's whole subtree would need its depths renumbered.
//
// Concurrency: the kernel runs every operation under the one kernel lock, on one CPU. An
// operation touches nodes in several tables and messages, so SMP will need the same single
// lock around derivation-tree changes (or a finer scheme designed for it).
#pragma once

#include "abi/abi.h"
#include "base/types.h"
#include "kernel/object/object.h"

namespace kernel {

class HeldCapability;

class Capability {
public:
    Capability() = default;
    Capability(const Capability&) = delete;
    Capability& operator=(const Capability&) = delete;
    // Storage that goes away removes its node (its descendants stay, see remove()).
    ~Capability() {
        if (!is_empty()) remove();
    }

    bool is_empty() const { return object_ == nullptr; }
    // Null when empty.
    Object* object() const { return object_; }
    base::u32 rights() const { return rights_; }
    bool has_rights(base::u32 required) const { return (rights_ & required) == required; }
    // The generation of this storage: never 0; bumped (wrapping past 0) each time it is emptied.
    base::u32 generation() const { return generation_; }
    bool has_descendants() const { return children_.next != &children_; }

    // This empty node becomes the root of a new tree for `object`, which it retains.
    void make_root(Object& object, base::u32 rights);
    // This empty node becomes the last child of `parent` (live, not this node), with the
    // parent's rights narrowed by `rights`. Checking the right to derive is the caller's job.
    void derive_from(Capability& parent, base::u32 rights);
    // This empty node takes `source`'s place in the tree, with its object, its reference and
    // its rights narrowed by `rights`; `source` becomes empty (its generation bumped).
    void move_from(Capability& source, base::u32 rights);
    // Deletes this live node: releases its object (the reaper destroys it when this was the
    // last reference), bumps the generation, and hands its children to its parent. A held
    // node's holder is told (HeldCapability::deleted) before the object is released.
    void remove();
    // Deletes descendants of this live node, in preorder, until their deletion cost (1 for a
    // node in a table or in flight, HeldCapability::deletion_cost for a held one) reaches
    // `budget`; at least one when budget > 0, so every call makes progress. Returns how many.
    // has_descendants() tells whether more remain. Every step leaves a valid tree.
    base::usize revoke_descendants(base::usize budget);

    // Calls visit(const Capability&) for each child, in order (for checks and debugging).
    template <class Visit>
    void for_each_child(Visit&& visit) const {
        // Bound: the ring is finite and returns to its sentinel (T1).
        for (const Link* link = children_.next; link != &children_; link = link->next) visit(*owner_of(link));
    }

    // For the host tests' invariant checks: true when the links are consistent around this
    // node (each neighbour points back) and an empty node is on no ring.
    bool links_are_consistent() const;

private:
    friend class HeldCapability;

    struct Link {
        Link* previous = this;
        Link* next = this;
        Link() = default;
        Link(const Link&) = delete;
        Link& operator=(const Link&) = delete;
        bool is_alone() const { return next == this; }
        void reset() { previous = next = this; }
    };

    static Capability* owner_of(Link* sibling_link);
    static const Capability* owner_of(const Link* sibling_link);
    // Leaves this node empty and unlinked; the caller has dealt with the reference and links.
    void become_empty();

    // What deleting this live node costs a revoke's budget (at least 1).
    base::usize revoke_cost() const;

    Object* object_ = nullptr;
    base::u16 rights_ = 0;  // kRightsAll fits (static_assert below): the table slot stays 48 bytes
    bool held_ = false;     // this storage is a HeldCapability (set for its whole life)
    base::u32 generation_ = 1;
    Link sibling_;   // on the parent's children ring, or a ring of roots (T1)
    Link children_;  // sentinel of this node's children ring
};
static_assert(vectra::abi::kRightsAll <= 0xffff, "Capability keeps rights in 16 bits");

// A node held by a kernel structure rather than by a table or a message: today a Reticle
// mapping, made from the Bundle capability it was mapped through (a child of it), so that
// revoking that capability, or any ancestor, deletes the node and with it the mapping. The
// holder derives from this class and is told through deleted() when the node goes, whoever
// deletes it: a revoke reaching it, or the holder itself calling remove() (unmap, destroy).
// Nobody can name a held node with a handle, so nothing derives from it or moves it.
class HeldCapability : private Capability {
public:
    HeldCapability() { held_ = true; }
    // The holder removes its node before it goes: deleted() could no longer be called here.
    ~HeldCapability() {
        if (!is_empty()) __builtin_trap();  // a holder went away still holding a capability
    }

    using Capability::is_empty;
    using Capability::object;
    using Capability::rights;
    // The derivation tree sees this storage as an ordinary node (for checks and tests).
    const Capability& capability() const { return *this; }

    // This empty node becomes a child of `through` (live), narrowed by `rights`, holding a
    // reference to its object. Checking that `through` permits it is the caller's job.
    void hold_derived(Capability& through, base::u32 rights) { derive_from(through, rights); }
    // For what the kernel makes without any capability (init's own mappings, in-kernel tests):
    // a root of its own, which only the holder removes.
    void hold_root(Object& object, base::u32 rights) { make_root(object, rights); }
    // Deletes the node (deleted() runs, as for a revoke). The node must be live.
    using Capability::remove;

protected:
    // Called once each time the node is deleted, with the node already empty and its object
    // still referenced until deleted() returns. It must not change the derivation tree (it runs
    // inside a revoke's walk) and must not fail.
    virtual void deleted() = 0;
    // What deleted() will cost, in units of one ordinary node's deletion (at least 1): a revoke
    // stops taking more held nodes once its budget is spent.
    virtual base::usize deletion_cost() const { return 1; }

private:
    friend class Capability;
};

// The next generation after `generation`: wraps within the handle's generation bits, skipping 0.
constexpr base::u32 next_generation(base::u32 generation) {
    base::u32 next = (generation + 1) & vectra::abi::kHandleGenerationMask;
    return next == 0 ? 1 : next;
}

}  // namespace kernel
