/* Where the entry code finds its fields in a CpuLocal (cpu_local.h checks each against the
 * struct). Plain #defines: the assembly entry code includes this too. */
#pragma once

#define CPU_LOCAL_SELF 0
#define CPU_LOCAL_KERNEL_STACK_TOP 8
#define CPU_LOCAL_USER_STACK_SCRATCH 16
#define CPU_LOCAL_STACK_LIMIT 24
#define CPU_LOCAL_OVERFLOW_STACK_TOP 32
