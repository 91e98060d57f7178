#include "shared.h"
void b() { handle(tether::background()); }
