# Shared part of the kernel toolchain files: freestanding C++23 without exceptions or RTTI,
# frame pointers kept for backtraces, only the compiler's own freestanding headers.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR ${VECTRA_KERNEL_ARCH})
set(CMAKE_C_COMPILER clang-19)
set(CMAKE_CXX_COMPILER clang++-19)
set(CMAKE_ASM_COMPILER clang-19)
set(CMAKE_C_COMPILER_TARGET ${VECTRA_TARGET_TRIPLE})
set(CMAKE_CXX_COMPILER_TARGET ${VECTRA_TARGET_TRIPLE})
set(CMAKE_ASM_COMPILER_TARGET ${VECTRA_TARGET_TRIPLE})
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_OBJCOPY llvm-objcopy-19)
set(CMAKE_NM llvm-nm-19)

set(VECTRA_FREESTANDING_FLAGS "-ffreestanding -nostdlibinc -fno-builtin -fno-stack-protector -fno-pic -fno-pie -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-exceptions -fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections -flto=thin ${VECTRA_ARCH_FLAGS}")
set(CMAKE_C_FLAGS_INIT "${VECTRA_FREESTANDING_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${VECTRA_FREESTANDING_FLAGS} -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit")
set(CMAKE_ASM_FLAGS_INIT "${VECTRA_ARCH_FLAGS}")
# Link with lld directly: no C runtime, no start files, nothing the compiler driver would add.
set(CMAKE_LINKER ld.lld-19)
set(CMAKE_CXX_LINK_EXECUTABLE "<CMAKE_LINKER> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static --no-pie --gc-sections --build-id=none -z noexecstack")
