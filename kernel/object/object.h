// The base of every kernel object kind (Task, Ring, Signal, Mask, Bundle, Reticle): its kind,
// a stable id, and a reference count held by the capabilities (and kernel structures) that
// refer to it. The last release does not destroy the object on the spot: it queues the object
// for the reaper, and reap_objects() destroys queued objects one at a time. Destroying one
// object may release others (a Task's table, a Ring's queued messages); those join the queue
// instead of being destroyed from inside, so a chain of any length costs no stack.
//
// Concurrency: the kernel calls all of this under the one kernel lock, on one CPU. The id
// counter, the reference counts and the reaper queue assume it (SMP will need atomics and a
// per-CPU or locked queue).
#pragma once

#include "base/intrusive_list.h"
#include "base/types.h"
#include "abi/abi.h"

namespace kernel {

class Object {
public:
    Object(const Object&) = delete;
    Object& operator=(const Object&) = delete;

    vectra::abi::ObjectKind kind() const { return kind_; }
    // Unique among all objects since boot (a counter, never reused): what handle_info and
    // fault reports show.
    base::u64 id() const { return id_; }
    base::u32 reference_count() const { return references_; }
    bool is_dying() const { return reaper_link_.is_linked(); }

    // Retaining a dying object (count already zero, queued for the reaper) is a kernel bug and
    // traps: nobody may still have held it.
    void retain();
    // The last release queues the object for reap_objects(). Releasing at zero traps.
    void release();

protected:
    // A new object has no references yet; the first capability to it (or whoever keeps it)
    // retains it.
    explicit Object(vectra::abi::ObjectKind kind);
    // Not virtual: objects end through destroy(), never through a base pointer's destructor.
    // Traps if the object is still referenced or queued.
    ~Object();

    // Called by reap_objects() once the last reference is gone and the object is off the
    // queue. Ends the object's life: runs its destructor and gives its memory back to whatever
    // paid for it. It may release other objects (they are queued, not destroyed here).
    virtual void destroy() = 0;

private:
    friend struct ObjectReaper;

    base::IntrusiveListNode reaper_link_;  // on the reaper queue while dying
    base::u64 id_;
    base::u32 references_ = 0;
    vectra::abi::ObjectKind kind_;
};

// Destroys queued objects, oldest first, until the queue is empty or `limit` objects were
// destroyed; returns how many were destroyed. A worklist, never recursion: objects released by
// a destroy() are queued behind it. Callers bound the work per step with `limit` and call again
// while objects_waiting_for_reaper() is true.
base::usize reap_objects(base::usize limit = ~base::usize(0));
// May also be read without the kernel lock (by a tick deciding whether it needs it): a hint then.
bool objects_waiting_for_reaper();

}  // namespace kernel
