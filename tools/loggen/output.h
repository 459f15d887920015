// Where generated requests go: an access-log file written as a web server writes it, or the
// http_logs Kafka topic. Outputs run on the main thread only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/kafka.h"
#include "tools/loggen/traffic.h"

namespace sentinel::loggen {

class Output {
 public:
  virtual ~Output() = default;
  // Writes a batch in order. False with *error when the output cannot go on.
  virtual bool write(const std::vector<Request>& batch, std::string* error) = 0;
  // SIGUSR1/SIGHUP: a file output reopens its path (after logrotate renamed the file).
  virtual void reopen() {}
  // Serves background work (Kafka delivery reports); called between batches.
  virtual void poll() {}
  // Delivers what is still pending; false with *error when some of it could not be.
  virtual bool finish(std::string* error) = 0;
};

// Appends combined-format lines to `path` ("-" for stdout): O_APPEND, one write(2) per batch,
// no user-space buffering, so a tailer sees each batch as soon as it is generated.
std::unique_ptr<Output> make_file_output(const std::string& path, std::string* error);

// Produces http_logs records keyed by client IP, with the Kafka timestamp = ts, through an
// idempotent producer configured by `props` (passed through to librdkafka).
std::unique_ptr<Output> make_kafka_output(const kafka::Properties& props, const std::string& topic,
                                          const std::string& host, std::string* error);

}  // namespace sentinel::loggen
