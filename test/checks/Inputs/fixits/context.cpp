// Every finding here has a fix-it (fixits.test applies them, compiles the
// result and runs every check again).
#include <tether/context.h>

void serve(const tether::Context &ctx);
tether::Context requestContext();

void handle(const tether::Context &ctx) {
  tether::Context root = tether::background();
  serve(root);
  serve(tether::background());
}

void local() {
  tether::Context request = requestContext();
  tether::Context copy = tether::background();
  serve(copy);
}
