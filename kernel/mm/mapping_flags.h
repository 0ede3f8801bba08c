// What a mapping allows, in words the portable kernel uses; each architecture's page-table
// format encodes these into its entries.
#pragma once

namespace kernel {

struct MappingFlags {
    bool writable = false;
    bool executable = false;
    bool user = false;
    bool device = false;  // uncached device registers rather than normal memory
    bool global = true;   // kept in the TLB across address-space switches (kernel mappings)
};

}  // namespace kernel
