# Kernel toolchain for aarch64: Debian's clang-19 and lld-19, freestanding.
set(VECTRA_KERNEL_ARCH aarch64)
set(VECTRA_TARGET_TRIPLE aarch64-unknown-none-elf)
# No floating-point or SIMD registers in the kernel, so traps need not save them.
set(VECTRA_ARCH_FLAGS "-mgeneral-regs-only -mno-outline-atomics -mcpu=cortex-a72")
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-kernel-common.cmake)
