# Userland toolchain for aarch64: Debian's clang-19 and lld-19, static freestanding programs.
# FP and NEON allowed (no -mgeneral-regs-only); atomics inline (no libgcc outline helpers).
set(VECTRA_USER_ARCH aarch64)
set(VECTRA_TARGET_TRIPLE aarch64-unknown-none-elf)
set(VECTRA_ARCH_FLAGS "-mno-outline-atomics -mcpu=cortex-a72")
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-user-common.cmake)
