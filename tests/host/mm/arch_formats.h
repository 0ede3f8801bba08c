// Both architectures' page-table formats in one host test: each header also aliases
// arch::PageTableFormat, so include them under different names.
#pragma once
#define PageTableFormat PageTableFormatX86_64
#include "kernel/arch/x86_64/include/arch/page_table_format.h"
#undef PageTableFormat
#define PageTableFormat PageTableFormatAarch64
#include "kernel/arch/aarch64/include/arch/page_table_format.h"
#undef PageTableFormat
