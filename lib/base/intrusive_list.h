// An intrusive doubly linked list: the links live inside the elements, so putting an object on
// a list never allocates. Circular with a sentinel; a node is on at most one list at a time.
#pragma once

#include "base/types.h"

namespace base {

struct IntrusiveListNode {
    IntrusiveListNode* previous = nullptr;
    IntrusiveListNode* next = nullptr;
    bool is_linked() const { return next != nullptr; }
};

template <class T, IntrusiveListNode T::*Member>
class IntrusiveList {
public:
    IntrusiveList() { sentinel_.previous = sentinel_.next = &sentinel_; }
    IntrusiveList(const IntrusiveList&) = delete;
    IntrusiveList& operator=(const IntrusiveList&) = delete;

    bool empty() const { return sentinel_.next == &sentinel_; }
    usize size() const {
        usize count = 0;
        for (const IntrusiveListNode* node = sentinel_.next; node != &sentinel_; node = node->next) ++count;
        return count;
    }

    void push_front(T& item) { insert_after(&sentinel_, node_of(item)); }
    void push_back(T& item) { insert_after(sentinel_.previous, node_of(item)); }

    T* front() { return empty() ? nullptr : owner_of(sentinel_.next); }
    T* back() { return empty() ? nullptr : owner_of(sentinel_.previous); }

    T* pop_front() {
        T* item = front();
        if (item) remove(*item);
        return item;
    }

    // The item must be on this list.
    void remove(T& item) {
        IntrusiveListNode* node = node_of(item);
        node->previous->next = node->next;
        node->next->previous = node->previous;
        node->previous = node->next = nullptr;
    }

    class Iterator {
    public:
        Iterator(IntrusiveListNode* node) : node_(node) {}
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
    static T* owner_of(IntrusiveListNode* node) {
        // The node is a member of T at a fixed offset: step back from it to the owner.
        const auto offset = reinterpret_cast<uptr>(&(static_cast<T*>(nullptr)->*Member));
        return reinterpret_cast<T*>(reinterpret_cast<uptr>(node) - offset);
    }
    static void insert_after(IntrusiveListNode* position, IntrusiveListNode* node) {
        if (node->is_linked()) __builtin_trap();  // already on a list: a kernel bug
        node->previous = position;
        node->next = position->next;
        position->next->previous = node;
        position->next = node;
    }

    IntrusiveListNode sentinel_;
};

}  // namespace base
