// Reference counting and the reaper queue for kernel objects (see object.h).
#include "kernel/object/object.h"

namespace kernel {

// The queue and the id counter: one of each in the kernel, guarded by the kernel lock.
struct ObjectReaper {
    static constinit inline base::IntrusiveList<Object, &Object::reaper_link_> queue{};
    static constinit inline base::u64 next_id = 1;
    // How many objects the queue holds: written under the lock, also read without it (a hint).
    static constinit inline base::u64 queued = 0;

    static base::u64 take_id() { return next_id++; }
    // Destroys the oldest queued object; false when none is queued.
    static bool reap_one() {
        Object* object = queue.pop_front();
        if (object == nullptr) return false;
        __atomic_store_n(&queued, queued - 1, __ATOMIC_RELAXED);
        object->destroy();
        return true;
    }
};

Object::Object(vectra::abi::ObjectKind kind) : id_(ObjectReaper::take_id()), kind_(kind) {}

Object::~Object() {
    if (references_ != 0 || reaper_link_.is_linked()) __builtin_trap();  // destroyed while referenced or queued
}

void Object::retain() {
    if (reaper_link_.is_linked()) __builtin_trap();  // dying: nobody may still hold it
    if (references_ == ~base::u32(0)) __builtin_trap();  // more references than memory could hold
    ++references_;
}

void Object::release() {
    if (references_ == 0) __builtin_trap();  // released more often than retained
    if (--references_ != 0) return;
    ObjectReaper::queue.push_back(*this);
    __atomic_store_n(&ObjectReaper::queued, ObjectReaper::queued + 1, __ATOMIC_RELAXED);
}

base::usize reap_objects(base::usize limit) {
    base::usize destroyed = 0;
    // Bound: `limit`, and each destroy() removes one object from the queue for good (a dying
    // object cannot be retained, so it never comes back).
    while (destroyed < limit && ObjectReaper::reap_one()) ++destroyed;
    return destroyed;
}

bool objects_waiting_for_reaper() { return __atomic_load_n(&ObjectReaper::queued, __ATOMIC_RELAXED) != 0; }

}  // namespace kernel
