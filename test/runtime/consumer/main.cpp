// Uses every public header of an installed tether.
#include <tether/tether.h>

#include <cstdio>

int main() {
  auto [ctx, cancel] = tether::with_timeout(tether::background(), std::chrono::seconds(30));
  tether::Channel<int> ch(4);
  tether::WaitGroup wg;
  wg.go([out = ch.sender()]() mutable {
    for (int i = 1; i <= 10; ++i) (void)out.send(i);
    out.close();
  });
  int sum = 0;
  for (int v : ch.receiver()) sum += v;
  wg.wait();

  tether::Group g(ctx);
  g.go([](const tether::Context& c) -> std::error_code { return c.err(); });
  const std::error_code ec = g.wait();

  std::optional<int> v;
  const auto chosen = tether::select(tether::recv_case(ch, v), tether::default_case());
  if (sum != 55 || ec || chosen != 0 || v || tether::running_thread_count() != 0) {
    std::puts("tether consumer FAILED");
    return 1;
  }
  std::puts("tether consumer ok");
  return 0;
}
