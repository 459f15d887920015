// The sink task runner, Kafka Connect's WorkerSinkTask: one task's thread with its own librdkafka
// consumer (group connect-<connector>, manual commits) feeding one plugin SinkTask.
//
// - Consume and convert: polls batches of up to 500 records, converts keys and values with the
//   connector's converters (converters.h) and hands them to put(); put() also runs with an empty
//   batch when a poll brought nothing, so a task can act on time.
// - Flush and commit: commits exactly the offsets pre_commit (the plugin's flush) returns, every
//   offset.flush.interval.ms and when the task asks (SinkTaskContext::request_commit)
//   asynchronously, and synchronously when partitions are revoked and when the task stops.
// - Pause and resume: pausing pauses the assigned partitions, so put() gets no record until the
//   task is resumed (a record fetched while pausing is rewound, never delivered).
// - Rebalance callbacks: open() before the assignment, so positions the task sets with
//   SinkTaskContext::offset() in open() go into the assignment itself (the group's committed offset
//   is not used for them; later ones are applied with a seek before the next poll); on revocation
//   a commit for those partitions, then close().
// - Errors: a record that does not convert fails the task (errors.tolerance=none) or is skipped
//   and, with errors.deadletterqueue.topic.name, written to the dead letter queue; a plugin call
//   that fails or throws fails the task with a trace naming it. A consumer fenced by another with
//   its group.instance.id fails and is not restarted automatically.
// - Deadlines: stopping is asked for, waited for with a deadline and, past it, given up on (the
//   task turns FAILED with a trace naming the call its thread is stuck in; the thread is left to
//   finish on its own and then commits nothing). Nothing here blocks a caller for longer than it
//   chose; destroying a runner never blocks.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>

#include "connect-sink/runtime/worker_backend.h"

namespace sentinel::connect {

class TaskThread;  // sink_task_runner.cc

class SinkTaskRunner : public TaskRunner {
 public:
  // Starts the task's thread at once. spec.consumer is complete (bootstrap.servers, group.id,
  // enable.auto.commit=false, …: what Herder::consumer_props gives); spec.task and spec.metrics
  // are set.
  explicit SinkTaskRunner(TaskSpec spec);
  // A thread that has not finished is abandoned and detached (it keeps its TaskThread alive
  // through its own reference).
  ~SinkTaskRunner() override;

  TaskStatus status() const override;
  void set_paused(bool paused) override;
  void request_stop() override;
  bool wait_stopped(std::chrono::milliseconds timeout) override;
  bool abandon(std::chrono::milliseconds waited) override;

  // Abandoned task threads (of every runner) still inside a call.
  static size_t abandoned_running();

 private:
  // Joins a finished thread (at once), detaches an abandoned one.
  void release_thread();

  std::shared_ptr<TaskThread> task_;
  std::thread thread_;
};

}  // namespace sentinel::connect
