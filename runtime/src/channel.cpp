#include "tether/channel.h"

namespace tether {

const char* to_string(ChannelStatus s) noexcept {
  switch (s) {
    case ChannelStatus::ok:
      return "ok";
    case ChannelStatus::closed:
      return "closed";
    case ChannelStatus::would_block:
      return "would block";
    case ChannelStatus::timeout:
      return "timeout";
    case ChannelStatus::cancelled:
      return "cancelled";
  }
  return "unknown";
}

}  // namespace tether

#include <chrono>
#include <cstdint>

#include "tether/select.h"

namespace tether::detail {

std::uint64_t select_random() noexcept {
  thread_local std::uint64_t state = [] {
    std::uint64_t seed = static_cast<std::uint64_t>(
        std::chrono::steady_clock::now().time_since_epoch().count());
    seed ^= reinterpret_cast<std::uintptr_t>(&seed) * 0x9E3779B97F4A7C15ull;
    return seed | 1;
  }();
  // xorshift64*
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1Dull;
}

}  // namespace tether::detail
