// Runs the runtime's in-OS tests; the command line (StartInfo::arguments) filters them by name.
#include "user/runtime/runtime.h"
#include "user/runtime/test.h"

int main(const vectra::StartInfo& start) { return vectra::test::run_all(base::StringView(start.arguments, start.arguments_length)); }
