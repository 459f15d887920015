// The repartition topic at start (docs/alerts.md, Several instances): an existing one is used as
// it is, with its partition count as the cluster reports it; a missing one is created through
// the admin API with the configured partitions, replication factor and retention. Metadata
// look-ups are retried while the cluster does not answer (a broker down at start is waited for,
// like everything else); a refused creation is an error that says what to do.
#pragma once

#include <functional>
#include <string>

#include "alert-engine/rules.h"
#include "common/kafka.h"

namespace sentinel::alerts {

// True with *partitions once the topic exists; false with *error when it is missing and could
// not be created, or when `stopping` said to give up. `alive` is called while waiting.
bool ensure_repartition_topic(const kafka::Properties& props, const RepartitionConfig& config,
                              int* partitions, std::string* error,
                              const std::function<void()>& alive = {},
                              const std::function<bool()>& stopping = {});

// The partition count of `topic` from the cluster's metadata: -1 when the topic does not exist,
// 0 when the cluster did not answer within `timeout_ms`.
int topic_partitions(rd_kafka_t* rk, const std::string& topic, int timeout_ms);

}  // namespace sentinel::alerts
