# Kernel toolchain for x86_64: Debian's clang-19 and lld-19, freestanding.
set(VECTRA_KERNEL_ARCH x86_64)
set(VECTRA_TARGET_TRIPLE x86_64-unknown-none-elf)
# No red zone (interrupts would clobber it) and no SSE/AVX state in the kernel; -mcmodel=kernel
# for an image linked in the top 2 GiB.
set(VECTRA_ARCH_FLAGS "-mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-avx -mno-80387 -mcmodel=kernel")
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-kernel-common.cmake)
