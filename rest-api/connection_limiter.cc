// Per-client and total connection counting.
#include "rest-api/connection_limiter.h"

namespace sentinel::connect {

ConnectionLimiter::Verdict ConnectionLimiter::admit(const std::string& client) {
  std::lock_guard lock(mu_);
  if (total_ >= max_total_) return Verdict::kTooManyInTotal;
  size_t& mine = per_client_[client];
  if (mine >= max_per_client_) {
    if (mine == 0) per_client_.erase(client);
    return Verdict::kTooManyFromClient;
  }
  ++mine;
  ++total_;
  return Verdict::kAdmitted;
}

void ConnectionLimiter::release(const std::string& client) {
  std::lock_guard lock(mu_);
  auto it = per_client_.find(client);
  if (it == per_client_.end()) return;
  if (--it->second == 0) per_client_.erase(it);
  --total_;
}

size_t ConnectionLimiter::open() const {
  std::lock_guard lock(mu_);
  return total_;
}

size_t ConnectionLimiter::open_from(const std::string& client) const {
  std::lock_guard lock(mu_);
  auto it = per_client_.find(client);
  return it == per_client_.end() ? 0 : it->second;
}

}  // namespace sentinel::connect
