#include "shared.h"
#include "only_a.h"
void startA() { std::thread(work).detach(); }
