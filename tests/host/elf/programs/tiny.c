/* A tiny freestanding static program, compiled for both architectures when the tests build:
 * text, read-only data, data, bss and a thread-local variable, so the real toolchain's layout
 * (segments, TLS, GNU_STACK, RELRO) reaches the loader. It is never run. */
static volatile int counter = 1;
static volatile char buffer[8192];
static const char greeting[] = "hello from a real ELF file";
_Thread_local int thread_value = 5;

void _start(void) {
    for (;;) {
        counter++;
        buffer[counter & 8191] = greeting[counter % sizeof greeting];
        thread_value += counter;
    }
}
