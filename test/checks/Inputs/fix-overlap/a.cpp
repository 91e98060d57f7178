#define REQUEST_SCOPED
#include "shared.h"
void a(const tether::Context &ctx) { serve(tether::background()); }
