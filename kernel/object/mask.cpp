// Masks (see mask.h).
#include "kernel/object/mask.h"
#include "kernel/smp/kernel_lock.h"

#include "arch/user_mode.h"
#include "kernel/object/object_memory.h"
#include "kernel/object/signal.h"

namespace kernel {

using vectra::abi::Status;

namespace {

constinit Mask* masks_by_line[Mask::kMaxLines] = {};

}  // namespace

StatusOr<Mask*> Mask::create(base::u32 line) {
    if (line >= kMaxLines || !arch::interrupt_line_valid(line) || masks_by_line[line] != nullptr) return Status::InvalidArgument;
    void* memory = TRY(allocate_object_pages(nullptr, pages_for<Mask>()));
    auto* mask = new (memory) Mask(line);
    masks_by_line[line] = mask;
    return mask;
}

Status Mask::bind(Signal& signal, base::u64 bits) {
    if (bits == 0) return Status::InvalidArgument;
    signal.retain();
    if (signal_ != nullptr) signal_->release();
    signal_ = &signal;
    bits_ = bits;
    waiting_for_acknowledge_ = false;
    arch::interrupt_line_set_masked(line_, false);
    return Status::Ok;
}

Status Mask::acknowledge() {
    if (signal_ == nullptr) return Status::BadState;
    waiting_for_acknowledge_ = false;
    arch::interrupt_line_set_masked(line_, false);
    return Status::Ok;
}

void Mask::fired() {
    arch::interrupt_line_set_masked(line_, true);
    waiting_for_acknowledge_ = true;
    if (signal_ != nullptr) signal_->raise(bits_);
}

void Mask::destroy() {
    arch::interrupt_line_set_masked(line_, true);
    masks_by_line[line_] = nullptr;
    if (signal_ != nullptr) signal_->release();
    this->~Mask();
    free_object_pages(nullptr, this, pages_for<Mask>());
}

void device_interrupt(base::u32 line) {
    kernel_lock::Scope locked;  // from user mode, or from the idle loop, which holds no lock
    if (line < Mask::kMaxLines && masks_by_line[line] != nullptr) {
        masks_by_line[line]->fired();
    } else {
        arch::interrupt_line_set_masked(line, true);  // nobody's: keep it quiet
    }
}

}  // namespace kernel
