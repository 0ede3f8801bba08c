# Userland toolchain for x86_64: Debian's clang-19 and lld-19, static freestanding programs.
# The x86-64 baseline (SSE2) and the small code model: program images sit in the low 2 GiB.
set(VECTRA_USER_ARCH x86_64)
set(VECTRA_TARGET_TRIPLE x86_64-unknown-none-elf)
set(VECTRA_ARCH_FLAGS "-mcmodel=small")
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-user-common.cmake)
