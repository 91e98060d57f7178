#include "tether/group.h"

#include "tether/detail/sync.h"

namespace tether {

void Group::set_limit(int n) {
  if (n == 0) detail::fatal("Group::set_limit(0) would block every go()");
  std::lock_guard lock(mu_);
  if (active_ != 0) detail::fatal("Group::set_limit while tasks are active");
  limit_ = n < 0 ? -1 : n;
}

bool Group::acquire_slot(bool block) {
  std::unique_lock lock(mu_);
  if (limit_ >= 0 && active_ >= limit_) {
    if (!block) return false;
    cv_.wait(lock, [&] { return active_ < limit_; });
  }
  ++active_;
  return true;
}

void Group::release_slot() noexcept {
  {
    std::lock_guard lock(mu_);
    --active_;
  }
  cv_.notify_all();
}

void Group::fail(std::error_code ec, std::exception_ptr e) noexcept {
  {
    std::lock_guard lock(mu_);
    if (failed_) return;
    failed_ = true;
    error_ = ec;
    exception_ = std::move(e);
  }
  cancel_.cancel();
}

std::error_code Group::wait() {
  threads_.join_all();
  cancel_.cancel();
  std::exception_ptr e;
  std::error_code ec;
  {
    std::lock_guard lock(mu_);
    e = exception_;
    ec = error_;
  }
  if (e) std::rethrow_exception(e);
  return ec;
}

}  // namespace tether
