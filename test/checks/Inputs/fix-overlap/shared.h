// One header, two shapes: a.cpp asks for the request-scoped handler, b.cpp
// for the plain one. The same tether::background() call gets a fix-it in
// each TU, naming a different context: two findings whose edits overlap.
#pragma once
#include <tether/context.h>
void serve(const tether::Context &ctx);
#ifdef REQUEST_SCOPED
inline void handle(const tether::Context &request) {
#else
inline void handle(const tether::Context &ctx) {
#endif
  serve(tether::background());
}
