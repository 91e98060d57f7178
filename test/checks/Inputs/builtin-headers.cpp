// Used by install-prefix.test: needs clang's own resource headers.
#include <immintrin.h>
#include <stdarg.h>
#include <stddef.h>
#include <thread>

size_t size();
void work();
void start() { std::thread(work).detach(); }
