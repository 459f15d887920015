// Recovery of open alerts at start and after a rebalance: read system_alerts from the beginning
// up to its high watermark and keep the last record per id (key = id, so one id lives in one
// partition and offset order is its history). The topic itself is the state store: no second
// store to keep consistent with what was published.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "alert-engine/alert.h"
#include "common/kafka.h"

namespace sentinel::alerts {

// Returns false with *error when the cluster gave no complete answer within `timeout`; a topic
// that does not exist yet holds no alerts (true, empty). Records that are not alerts are skipped
// with a warning. `alive` is called while waiting (for the systemd watchdog).
bool recover_alerts(const kafka::Properties& props, const std::string& topic,
                    std::chrono::milliseconds timeout, std::vector<RecoveredAlert>* out,
                    std::string* error, const std::function<void()>& alive = {});

}  // namespace sentinel::alerts
