// arch::tlb_flush_user_all (arch/smp.h): reloading CR3 drops every non-global translation,
// which is every user one (kernel mappings are global, user ones never are).
#include "arch/smp.h"

void arch::tlb_flush_user_all() {
    base::u64 root;
    asm volatile("movq %%cr3, %0; movq %0, %%cr3" : "=r"(root)::"memory");
}
