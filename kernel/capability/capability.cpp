// The derivation tree's operations (see capability.h for the invariants T1-T3 they keep).
// Each is O(1); a broken caller promise (an empty node where a live one is needed, or the
// reverse) is a kernel bug and traps.
#include "kernel/capability/capability.h"

namespace kernel {

Capability* Capability::owner_of(Link* sibling_link) {
    return reinterpret_cast<Capability*>(reinterpret_cast<base::uptr>(sibling_link) - __builtin_offsetof(Capability, sibling_));
}

const Capability* Capability::owner_of(const Link* sibling_link) {
    return reinterpret_cast<const Capability*>(reinterpret_cast<base::uptr>(sibling_link) -
                                               __builtin_offsetof(Capability, sibling_));
}

void Capability::become_empty() {
    object_ = nullptr;
    rights_ = 0;
    generation_ = next_generation(generation_);
    sibling_.reset();
    children_.reset();
}

void Capability::make_root(Object& object, base::u32 rights) {
    if (!is_empty()) __builtin_trap();  // would overwrite a live capability
    object.retain();
    object_ = &object;
    rights_ = rights & vectra::abi::kRightsAll;
    // A root is alone on its ring (T1); an empty node's links already point at themselves (T3).
}

void Capability::derive_from(Capability& parent, base::u32 rights) {
    if (!is_empty() || parent.is_empty()) __builtin_trap();  // needs an empty child and a live parent
    if (parent.held_) __builtin_trap();  // nothing can name a held node to derive from it
    parent.object_->retain();
    object_ = parent.object_;
    rights_ = parent.rights_ & rights;
    // Join the end of the parent's children ring (T1).
    Link& last = *parent.children_.previous;
    sibling_.previous = &last;
    sibling_.next = &parent.children_;
    last.next = &sibling_;
    parent.children_.previous = &sibling_;
}

void Capability::move_from(Capability& source, base::u32 rights) {
    if (!is_empty() || source.is_empty() || &source == this) __builtin_trap();  // needs an empty destination and a live source
    if (held_ || source.held_) __builtin_trap();  // a held node stays with its holder
    object_ = source.object_;  // the reference moves with the node
    rights_ = source.rights_ & rights;
    // Take the source's place on its ring, unless it was alone there.
    if (!source.sibling_.is_alone()) {
        sibling_.previous = source.sibling_.previous;
        sibling_.next = source.sibling_.next;
        sibling_.previous->next = &sibling_;
        sibling_.next->previous = &sibling_;
    }
    // Take over its children ring: the first and last child now point at our sentinel.
    if (source.has_descendants()) {
        children_.next = source.children_.next;
        children_.previous = source.children_.previous;
        children_.next->previous = &children_;
        children_.previous->next = &children_;
    }
    source.become_empty();
}

void Capability::remove() {
    if (is_empty()) __builtin_trap();  // nothing to remove
    Link* before = sibling_.previous;
    Link* after = sibling_.next;
    if (has_descendants()) {
        // The children, in order, take this node's place on its ring.
        Link* first = children_.next;
        Link* last = children_.previous;
        if (sibling_.is_alone()) {
            // A root alone: its children become a ring of roots of their own.
            first->previous = last;
            last->next = first;
        } else {
            before->next = first;
            first->previous = before;
            last->next = after;
            after->previous = last;
        }
    } else if (!sibling_.is_alone()) {
        before->next = after;
        after->previous = before;
    }
    Object* object = object_;
    become_empty();
    // The holder undoes what the node allowed while the object is still referenced (a mapping
    // is gone before its Bundle's frames can be freed).
    if (held_) static_cast<HeldCapability*>(this)->deleted();
    // Last: releasing may queue the object for the reaper, never destroy it here.
    object->release();
}

base::usize Capability::revoke_cost() const {
    if (!held_) return 1;
    const base::usize cost = static_cast<const HeldCapability*>(this)->deletion_cost();
    return cost == 0 ? 1 : cost;
}

base::usize Capability::revoke_descendants(base::usize budget) {
    if (is_empty()) __builtin_trap();  // an empty node has no descendants to revoke
    base::usize removed = 0;
    base::usize spent = 0;
    // Bound: `budget` (each removal costs at least 1). Invariant: every descendant not yet
    // removed is still a descendant, and the tree is valid after each step (removing the first
    // child moves its children to the front of our ring).
    while (spent < budget && has_descendants()) {
        Capability* first = owner_of(children_.next);
        spent += first->revoke_cost();
        first->remove();
        ++removed;
    }
    return removed;
}

bool Capability::links_are_consistent() const {
    auto ring_consistent = [](const Link& link) {
        return link.next->previous == &link && link.previous->next == &link;
    };
    if (is_empty()) return sibling_.is_alone() && sibling_.previous == &sibling_ && !has_descendants() &&
                           children_.previous == &children_ && rights_ == 0;
    return ring_consistent(sibling_) && ring_consistent(children_) && generation_ != 0;
}

}  // namespace kernel
