#pragma once
#include <tether/context.h>
void serve(const tether::Context &ctx);
inline void shared(const tether::Context &ctx) { serve(tether::background()); }
