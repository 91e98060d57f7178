#include "shared.h"
#include <thread>
void work();
void b(const tether::Context &ctx) { serve(tether::background()); }
void detaches() { std::thread(work).detach(); }
