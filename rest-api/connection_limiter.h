// Admission of new REST connections: at most N open per client address and M in total, so that
// one client holding its share (slow senders, idle keep-alives) leaves room for every other one.
// Thread-safe; the server admits on accept and releases when the connection ends.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sentinel::connect {

class ConnectionLimiter {
 public:
  enum class Verdict { kAdmitted, kTooManyFromClient, kTooManyInTotal };

  ConnectionLimiter(size_t max_total, size_t max_per_client)
      : max_total_(max_total), max_per_client_(max_per_client) {}

  // Counts the connection in when under both limits; a refused one is not counted.
  Verdict admit(const std::string& client);
  void release(const std::string& client);
  size_t open() const;
  size_t open_from(const std::string& client) const;

 private:
  const size_t max_total_;
  const size_t max_per_client_;
  mutable std::mutex mu_;
  size_t total_ = 0;
  std::unordered_map<std::string, size_t> per_client_;
};

}  // namespace sentinel::connect
