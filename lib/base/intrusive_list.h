// An intrusive doubly linked list: the links live inside the elements, so putting an object on
// a list never allocates (run queues, wait queues, free pools). Circular with a sentinel, so
// linking and unlinking never branch on "first" or "last". A node is on at most one list at a
// time; linking a linked node or unlinking an unlinked one is a kernel bug and traps.
#pragma once

#include "base/types.h"

namespace base {

struct IntrusiveListNode {
    IntrusiveListNode* previous = nullptr;
    IntrusiveListNode* next = nullptr;

    constexpr IntrusiveListNode() = default;
    // A copy of an object is on no list, whatever its original is on: copying the links would
    // make a second node that its neighbours do not point back to.
    constexpr IntrusiveListNode(const IntrusiveListNode&) {}
    constexpr IntrusiveListNode& operator=(const IntrusiveListNode&) { return *this; }

    constexpr bool is_linked() const { return next != nullptr; }
};

template <class T, IntrusiveListNode T::*Member>
class IntrusiveList {
public:
    // constexpr so a global list is set up at compile time, before any constructor runs.
    constexpr IntrusiveList() { sentinel_.previous = sentinel_.next = &sentinel_; }
    // The sentinel's address is part of the list, so a list cannot be copied or moved.
    IntrusiveList(const IntrusiveList&) = delete;
    IntrusiveList& operator=(const IntrusiveList&) = delete;

    bool empty() const { return sentinel_.next == &sentinel_; }
    // Walks the list: O(n).
    usize size() const {
        usize count = 0;
        for (const IntrusiveListNode* node = sentinel_.next; node != &sentinel_; node = node->next) ++count;
        return count;
    }

    void push_front(T& item) { insert_after(&sentinel_, node_of(item)); }
    void push_back(T& item) { insert_after(sentinel_.previous, node_of(item)); }
    // `position` must be on this list.
    void insert_before(T& position, T& item) { insert_after(node_of(position)->previous, node_of(item)); }

    // Null when empty.
    T* front() const { return empty() ? nullptr : owner_of(sentinel_.next); }
    T* back() const { return empty() ? nullptr : owner_of(sentinel_.previous); }
    T* pop_front() {
        T* item = front();
        if (item) remove(*item);
        return item;
    }
    T* pop_back() {
        T* item = back();
        if (item) remove(*item);
        return item;
    }

    // The item must be on this list (a circular list lets us unlink without walking it).
    void remove(T& item) {
        IntrusiveListNode* node = node_of(item);
        if (!node->is_linked()) __builtin_trap();  // not on any list: a kernel bug
        node->previous->next = node->next;
        node->next->previous = node->previous;
        node->previous = node->next = nullptr;
    }

    // Removing the element an iterator is at invalidates that iterator only.
    class Iterator {
    public:
        explicit Iterator(IntrusiveListNode* node) : node_(node) {}
        T& operator*() const { return *owner_of(node_); }
        T* operator->() const { return owner_of(node_); }
        Iterator& operator++() {
            node_ = node_->next;
            return *this;
        }
        bool operator==(const Iterator& other) const { return node_ == other.node_; }

    private:
        IntrusiveListNode* node_;
    };
    Iterator begin() { return Iterator(sentinel_.next); }
    Iterator end() { return Iterator(&sentinel_); }

private:
    static IntrusiveListNode* node_of(T& item) { return &(item.*Member); }
    static T* owner_of(const IntrusiveListNode* node) {
        return reinterpret_cast<T*>(reinterpret_cast<uptr>(node) - member_offset());
    }
    // Where the node sits inside T, measured on a pretend T at a non-null, suitably aligned
    // address (nothing is read there). C++ has no offsetof for a member pointer.
    static uptr member_offset() {
        constexpr uptr pretend_address = alignof(T) * 64;
        return reinterpret_cast<uptr>(&(reinterpret_cast<T*>(pretend_address)->*Member)) - pretend_address;
    }
    static void insert_after(IntrusiveListNode* position, IntrusiveListNode* node) {
        if (node->is_linked()) __builtin_trap();  // already on a list: a kernel bug
        node->previous = position;
        node->next = position->next;
        position->next->previous = node;
        position->next = node;
    }

    // Invariant: following `next` from the sentinel visits every element once and returns to it.
    IntrusiveListNode sentinel_;
};

}  // namespace base
