// Pressure stall information from /proc/pressure/{cpu,memory,io,irq} (pure parsing exposed for
// tests).
#pragma once

#include <cstdint>
#include <string_view>

#include "agent/collectors/collector.h"

namespace sentinel::agent {

struct PsiLine {
  double avg10 = 0, avg60 = 0, avg300 = 0;
  uint64_t total_us = 0;
};
struct PsiFile {
  bool has_some = false, has_full = false;
  PsiLine some, full;
};

// Parses "some avg10=0.00 avg60=0.16 avg300=0.13 total=7524072" (and the "full" line); false
// when a some/full line is malformed or there is no some line.
bool parse_psi(std::string_view text, PsiFile* out);

}  // namespace sentinel::agent
