// arch::tlb_flush_user_all (arch/smp.h): without ASIDs, dropping this CPU's EL1&0 entries
// is the way to drop its user ones (kernel entries come back from the tables on use).
#include "arch/smp.h"

void arch::tlb_flush_user_all() { asm volatile("dsb ishst; tlbi vmalle1; dsb nsh; isb" ::: "memory"); }
