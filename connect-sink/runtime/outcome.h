// The answer of a herder operation: success, or the HTTP status and message of Connect's error.
#pragma once

#include <string>

namespace sentinel::connect {

// 0 = success; otherwise the HTTP status and message of Connect's error.
struct Outcome {
  int status = 0;
  std::string message;
  bool ok() const { return status == 0; }
  static Outcome Error(int status, std::string message) { return {status, std::move(message)}; }
};

}  // namespace sentinel::connect
