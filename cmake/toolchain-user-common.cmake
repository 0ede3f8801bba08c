# Shared part of the userland toolchain files: static freestanding C++23 programs for VectraOS,
# linked by lld at user addresses with user/runtime/user.ld. Unlike the kernel, programs may use
# the FP/SIMD registers (the kernel saves them per thread) and the x86_64 red zone (user code is
# never interrupted on its own stack). No exceptions or RTTI yet; frame pointers kept so a fault
# report's pc can be walked back.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR ${VECTRA_USER_ARCH})
set(CMAKE_C_COMPILER clang-19)
set(CMAKE_CXX_COMPILER clang++-19)
set(CMAKE_ASM_COMPILER clang-19)
set(CMAKE_C_COMPILER_TARGET ${VECTRA_TARGET_TRIPLE})
set(CMAKE_CXX_COMPILER_TARGET ${VECTRA_TARGET_TRIPLE})
set(CMAKE_ASM_COMPILER_TARGET ${VECTRA_TARGET_TRIPLE})
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_OBJCOPY llvm-objcopy-19)
set(CMAKE_NM llvm-nm-19)
set(CMAKE_AR llvm-ar-19)
set(CMAKE_RANLIB llvm-ranlib-19)

set(VECTRA_USER_FLAGS "-ffreestanding -nostdlibinc -fno-stack-protector -fno-pic -fno-pie -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-exceptions -fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections ${VECTRA_ARCH_FLAGS}")
set(CMAKE_C_FLAGS_INIT "${VECTRA_USER_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${VECTRA_USER_FLAGS} -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit")
set(CMAKE_ASM_FLAGS_INIT "${VECTRA_ARCH_FLAGS}")
# Link with lld directly: the runtime supplies the start code, nothing comes from the driver.
set(CMAKE_LINKER ld.lld-19)
set(CMAKE_CXX_LINK_EXECUTABLE "<CMAKE_LINKER> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static --no-pie --gc-sections --build-id=none -z noexecstack -z max-page-size=4096 -z separate-loadable-segments --orphan-handling=error")
