// The sink task runner (see sink_task_runner.h): TaskThread, the thread's loop and its
// rebalance, commit and delivery callbacks, and SinkTaskRunner, the herder's handle on it.
#include "connect-sink/runtime/sink_task_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <set>

#include "common/clock.h"
#include "common/kafka_offset_jumps.h"
#include "common/log.h"
#include "common/static_membership.h"
#include "connect-sink/runtime/topic_partitions.h"

namespace sentinel::connect {

using namespace std::chrono_literals;

namespace {

constexpr size_t kMaxBatch = 500;
constexpr auto kPollTimeout = 100ms;

// Abandoned task threads still inside a call (SinkTaskRunner::abandoned_running).
std::atomic<size_t> g_abandoned_running{0};

// Plugin tasks of abandoned threads, never stopped nor destroyed (see finish_abandoned); kept
// reachable so that a leak checker does not report what is deliberate.
void keep_abandoned(std::unique_ptr<SinkTask> task) {
  static std::mutex mu;
  static auto* kept = new std::vector<std::unique_ptr<SinkTask>>;
  std::lock_guard lock(mu);
  kept->push_back(std::move(task));
}

// Runs a plugin call, turning a stray exception into a failed Status.
template <typename F>
Status guard(const char* what, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return Status::Error(std::string(what) + " threw: " + e.what());
  } catch (...) {
    return Status::Error(std::string(what) + " threw a non-standard exception");
  }
}

}  // namespace

// One task's thread and everything it owns. Shared between the thread and its SinkTaskRunner, so
// that an abandoned thread (stuck in a plugin call past the shutdown deadline) keeps what it uses
// alive after the herder has let go of it.
class TaskThread {
 public:
  explicit TaskThread(TaskSpec spec) : spec_(std::move(spec)), context_(this) {
    paused_ = spec_.start_paused;
    status_ = {.view = {.state = spec_.start_paused ? TaskState::kPaused : TaskState::kRunning}};
    name_ = fmt::format("{}-{}", spec_.connector, spec_.id);
    jumps_ = kafka::OffsetJumpWatch(fmt::format("connector {} task {}", spec_.connector, spec_.id));
    unowned_ = kafka::UnownedPartitionsWatch(
        fmt::format("connector {} task {}", spec_.connector, spec_.id));
  }

  TaskStatus status() const {
    std::lock_guard lock(mu_);
    return status_;
  }
  void set_paused(bool paused) { paused_ = paused; }
  void request_stop() { stop_ = true; }

  bool wait_finished(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return finished_cv_.wait_for(lock, timeout, [&] { return finished_; });
  }

  bool abandon(std::chrono::milliseconds waited) {
    std::lock_guard lock(mu_);
    if (finished_ || abandoned_) return false;
    abandoned_ = true;
    ++g_abandoned_running;
    const char* call = activity_.load();
    std::string where = "its thread did not return from the task loop";
    if (call) {
      double since_s = static_cast<double>(now_ns() - activity_since_ns_.load()) / 1e9;
      where = fmt::format("its thread is stuck in {} (called {:.1f} s ago)", call, since_s);
    }
    std::string previous = status_.view.state == TaskState::kFailed
                               ? "\nIt had failed before: " + status_.view.trace
                               : "";
    status_ = {
        .view = {
            .state = TaskState::kFailed,
            .trace = fmt::format(
                "ConnectException: Task {} did not stop within task.shutdown.graceful.timeout.ms "
                "({} ms) and was abandoned: {}.\n\tat {}\nThe thread is left to finish on its own; "
                "if the call returns, it makes no further plugin call and commits no offset (its "
                "records are delivered again to the next owner of its partitions).{}",
                name_, waited.count(), where, call ? call : "the task loop", previous)}};
    log::error("connector {} task {}: did not stop within {} ms and was abandoned: {}",
               spec_.connector, spec_.id, waited.count(), where);
    return true;
  }

  void run() {
    if (setup()) loop();
    if (abandoned_) {
      finish_abandoned();
      return;
    }
    if (consumer_) {
      if (!failed_) commit(nullptr);
      {
        Activity a(this, "leaving the consumer group");
        leave_group();
      }
      {
        Activity a(this, "KafkaConsumer.close()");
        rd_kafka_consumer_close(consumer_.get());  // serves the final revocation (commit + close)
      }
      consumer_.reset();
    }
    if (dlq_) {
      Activity a(this, "the dead letter queue producer's flush");
      rd_kafka_flush(dlq_.get(), 10000);
      dlq_.reset();
    }
    if (task_started_ && !abandoned_) {
      call("stop", "SinkTask.stop()", [&] {
        spec_.task->stop();
        return Status::Ok();
      });
    }
    if (abandoned_) {
      finish_abandoned();
      return;
    }
    set_status(TaskState::kUnassigned);
    finish();
  }

 private:
  // What the thread is busy with, for the trace of an abandoned task; restores the outer one.
  class Activity {
   public:
    Activity(TaskThread* t, const char* what)
        : t_(t), outer_(t->activity_.load()), outer_since_(t->activity_since_ns_.load()) {
      t_->activity_since_ns_ = now_ns();
      t_->activity_ = what;
    }
    ~Activity() {
      t_->activity_ = outer_;
      t_->activity_since_ns_ = outer_since_;
    }
    Activity(const Activity&) = delete;
    Activity& operator=(const Activity&) = delete;

   private:
    TaskThread* t_;
    const char* outer_;
    int64_t outer_since_;
  };

  // Runs a plugin call: a stray exception becomes a failed Status, and the call is recorded.
  template <typename F>
  Status call(const char* what, const char* name, F&& f) {
    Activity a(this, name);
    return guard(what, std::forward<F>(f));
  }

  static int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(MonoClock::now().time_since_epoch())
        .count();
  }

  void finish() {
    std::lock_guard lock(mu_);
    finished_ = true;
    if (abandoned_) --g_abandoned_running;  // abandoned while finishing: nothing left to skip
    finished_cv_.notify_all();
  }

  // The stuck call returned after the herder gave up on this task; another task may own its
  // partitions and its files by now. Leave the group without a commit (the rebalance callback
  // commits nothing and calls no plugin once abandoned) and leak the plugin task on purpose: its
  // stop() or destructor could flush or close files the new task writes.
  void finish_abandoned() {
    if (consumer_) {
      rd_kafka_consumer_close(consumer_.get());
      consumer_.reset();
    }
    dlq_.reset();
    keep_abandoned(std::move(spec_.task));
    log::warning("connector {} task {}: the abandoned thread returned and exits without committing",
                 spec_.connector, spec_.id);
    finish();
  }

  void set_status(TaskState state, const std::string& trace = "") {
    std::lock_guard lock(mu_);
    // A failure sticks until the task is restarted.
    if (status_.view.state == TaskState::kFailed) return;
    status_ = {.view = {.state = state, .trace = trace}};
  }

  void fail(const std::string& message, const std::string& trace) {
    failed_ = true;
    if (abandoned_) return;  // the abandonment trace says what matters
    log::error("connector {} task {} failed: {}", spec_.connector, spec_.id, message);
    std::lock_guard lock(mu_);
    status_ = {.view = {.state = TaskState::kFailed, .trace = trace.empty() ? message : trace}};
  }

  // Another consumer joined the group with this task's group.instance.id and the broker took
  // the id from this one. Restarting would take it back and fence the other in turn, so the
  // task stays FAILED until someone restarts it.
  void fenced() {
    std::string id =
        spec_.consumer.count("group.instance.id") ? spec_.consumer.at("group.instance.id") : "";
    std::string m = fmt::format(
        "fenced: another consumer joined group {} with this task's group.instance.id {} (a second "
        "worker with the same sentinel.worker.id, on another host?). This task stopped consuming "
        "and is not restarted automatically, so that the two do not take the partitions from each "
        "other in turn: give each worker its own sentinel.worker.id, then restart the task",
        spec_.consumer.count("group.id") ? spec_.consumer.at("group.id") : "", id);
    fenced_ = true;
    fail(m, "ConnectException: " + m);
    if (abandoned_) return;  // the abandonment trace says what matters
    std::lock_guard lock(mu_);
    status_.auto_restart = false;
  }

  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* parts, void* opaque) {
    static_cast<TaskThread*>(opaque)->rebalance(rk, err, parts);
  }

  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    if (m->err) {
      auto* self = static_cast<TaskThread*>(opaque);
      self->dlq_failures_++;
      self->dlq_last_error_ = rd_kafka_err2str(m->err);
    }
  }

  // The task's SinkTaskContext: requests are kept on the task thread and applied by it.
  class Context : public SinkTaskContext {
   public:
    explicit Context(TaskThread* runner) : runner_(runner) {}
    void offset(const OffsetMap& offsets) override {
      for (const auto& [tp, off] : offsets) runner_->pending_seeks_[tp] = off;
    }
    void request_commit() override { runner_->commit_requested_ = true; }

   private:
    TaskThread* runner_;
  };

  void rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
    bool cooperative = std::string(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
    std::vector<TopicPartition> tps = from_list(parts);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      // open() first, so that the positions the task asks for (SinkTaskContext::offset) go into
      // the assignment itself: no record from before them is ever fetched.
      for (const auto& tp : tps) assigned_.insert(tp);
      if (!failed_ && !abandoned_) {
        Status s = call("open", "SinkTask.open()", [&] { return spec_.task->open(tps); });
        if (!s.ok) fail(s.message, s.trace);
      }
      OffsetMap floor;
      bool floor_known = true;
      if (spec_.no_seek_below_committed) floor_known = committed(rk, parts, &floor);
      if (floor_known) {
        for (const auto& [tp, off] : floor) floor_[tp] = off;  // raised below for a position
      }
      int seeks = 0;
      for (int i = 0; i < parts->cnt; ++i) {
        auto it = pending_seeks_.find({parts->elems[i].topic, parts->elems[i].partition});
        if (it == pending_seeks_.end()) continue;
        if (!floor_known) {
          // Unknown how far the group got: its committed offset (the default) rather than a
          // position that may lie behind what other workers archived.
          pending_seeks_.erase(it);
          continue;
        }
        if (auto f = floor.find(it->first); f != floor.end() && f->second > it->second) {
          log::info(
              "connector {} task {}: {}-{}: the task asked to start at offset {}, below the "
              "group's committed {}: another worker has what lies between; starting at {}",
              spec_.connector, spec_.id, it->first.topic, it->first.partition, it->second,
              f->second, f->second);
          it->second = f->second;
        }
        parts->elems[i].offset = it->second;
        current_[it->first] = it->second;
        if (spec_.no_seek_below_committed) floor_[it->first] = it->second;
        pending_seeks_.erase(it);
        ++seeks;
      }
      // Where each partition should start: the committed offsets (distributed: those read above,
      // not fetched twice), then the positions the task asked for.
      if (spec_.no_seek_below_committed) {
        for (const auto& [tp, off] : floor) jumps_.expect(tp.topic, tp.partition, off);
      } else {
        jumps_.expect_committed(rk, parts, 5s);
      }
      jumps_.expect(parts);
      if (cooperative)
        rd_kafka_error_destroy(rd_kafka_incremental_assign(rk, parts));
      else
        rd_kafka_assign(rk, parts);
      log::info("connector {} task {}: assigned {} partition(s), {} positioned by the task",
                spec_.connector, spec_.id, tps.size(), seeks);
      unowned_.assigned(rk, static_cast<int>(assigned_.size()));
      if (applied_paused_) rd_kafka_pause_partitions(rk, parts);
      return;
    }
    // Revocation (or lost partitions): commit what is durable for them, then close them.
    log::info("connector {} task {}: {} {} partition(s)", spec_.connector, spec_.id,
              err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS ? "revoked" : "lost", tps.size());
    if (!failed_ && err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) commit(&tps);
    if (!failed_ && !abandoned_) {
      Status s = call("close", "SinkTask.close()", [&] { return spec_.task->close(tps); });
      if (!s.ok) fail(s.message, s.trace);
    }
    jumps_.forget(parts);
    for (const auto& tp : tps) {
      assigned_.erase(tp);
      current_.erase(tp);
      committed_.erase(tp);
      pending_seeks_.erase(tp);
      floor_.erase(tp);
    }
    if (cooperative)
      rd_kafka_error_destroy(rd_kafka_incremental_unassign(rk, parts));
    else
      rd_kafka_assign(rk, nullptr);
  }

  // Result of an asynchronous commit (served by rd_kafka_consumer_poll on the task thread): a
  // failed partition is forgotten as committed, so the next commit sends it again.
  static void on_commit(rd_kafka_t*, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* offsets, void* opaque) {
    auto* self = static_cast<TaskThread*>(opaque);
    bool any_failed = false;
    for (int i = 0; offsets && i < offsets->cnt; ++i) {
      if (err || offsets->elems[i].err) {
        self->committed_.erase({offsets->elems[i].topic, offsets->elems[i].partition});
        any_failed = true;
      }
    }
    if (any_failed && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
      log::warning("connector {} task {}: offset commit failed: {} (will retry at the next flush)",
                   self->spec_.connector, self->spec_.id,
                   rd_kafka_err2str(err ? err : offsets->elems[0].err));
    }
  }

  // Asks the task for its durable offsets and commits them; false when the task failed. The
  // periodic commits are asynchronous (like Connect's), so the task thread never waits for the
  // group coordinator; those on revocation and stop are synchronous.
  bool commit(const std::vector<TopicPartition>* only, bool async = false) {
    if (abandoned_) return false;  // another task may own these partitions now
    OffsetMap current;
    for (const auto& [tp, off] : current_) {
      if (!assigned_.count(tp)) continue;
      if (only && std::find(only->begin(), only->end(), tp) == only->end()) continue;
      current[tp] = off;
    }
    bool changed = std::any_of(current.begin(), current.end(), [&](const auto& e) {
      auto it = committed_.find(e.first);
      return it == committed_.end() || it->second != e.second;
    });
    if (!changed) return true;
    if (dlq_) {
      Activity a(this, "the dead letter queue producer's flush");
      rd_kafka_flush(dlq_.get(), 30000);
      if (rd_kafka_outq_len(dlq_.get()) > 0 || dlq_failures_ > 0) {
        std::string m =
            fmt::format("could not write {} record(s) to the dead letter queue topic {}: {}",
                        dlq_failures_.load(), spec_.dlq_topic,
                        dlq_failures_ ? dlq_last_error_ : "flush timed out");
        fail(m, "ConnectException: " + m);
        return false;
      }
    }
    OffsetMap committable;
    Status s = call("pre_commit", "SinkTask.pre_commit()",
                    [&] { return spec_.task->pre_commit(current, &committable); });
    if (!s.ok) {
      fail(s.message,
           "ConnectException: Offset commit failed: the task could not flush its records\n"
           "Caused by: " +
               (s.trace.empty() ? s.message : s.trace));
      return false;
    }
    OffsetMap to_commit;
    for (const auto& [tp, off] : committable) {
      if (!current.count(tp)) continue;  // only partitions this commit covers
      if (spec_.no_seek_below_committed) {
        // Never below where this task started the partition: a task that reports its own
        // position (RotatingFileSink: its files on this host) for a partition raised to the
        // group's committed offset, before it wrote any of it, would move the group back over
        // what other workers archived, and the next owner would archive that again.
        auto f = floor_.find(tp);
        if (f == floor_.end() || off < f->second) continue;
      }
      auto it = committed_.find(tp);
      if (it == committed_.end() || it->second != off) to_commit[tp] = off;
    }
    if (to_commit.empty() || abandoned_) return !abandoned_;
    kafka::TopicPartitionList list = to_list(to_commit);
    Activity a(this, "the offset commit");
    // Asynchronous: a failure reported later by on_commit() forgets the partition as committed.
    rd_kafka_resp_err_t err = rd_kafka_commit(consumer_.get(), list.get(), async ? 1 : 0);
    if (err) {
      log::warning("connector {} task {}: offset commit failed: {} (will retry at the next flush)",
                   spec_.connector, spec_.id, rd_kafka_err2str(err));
      return true;
    }
    for (const auto& [tp, off] : to_commit) committed_[tp] = off;
    spec_.metrics->offset_commits++;
    log::debug("connector {} task {}: committed {} partition offset(s)", spec_.connector, spec_.id,
               to_commit.size());
    return true;
  }

  void apply_pause() {
    bool want = paused_;
    if (want == applied_paused_) return;
    rd_kafka_topic_partition_list_t* assignment = nullptr;
    if (rd_kafka_assignment(consumer_.get(), &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        assignment) {
      if (want)
        rd_kafka_pause_partitions(consumer_.get(), assignment);
      else
        rd_kafka_resume_partitions(consumer_.get(), assignment);
      rd_kafka_topic_partition_list_destroy(assignment);
    }
    applied_paused_ = want;
    set_status(want ? TaskState::kPaused : TaskState::kRunning);
  }

  void update_lag() {
    int64_t lag = 0;
    for (const auto& tp : assigned_) {
      int64_t lo = -1, hi = -1;
      if (rd_kafka_get_watermark_offsets(consumer_.get(), tp.topic.c_str(), tp.partition, &lo,
                                         &hi) ||
          hi < 0) {
        continue;
      }
      auto it = current_.find(tp);
      int64_t pos = it != current_.end() ? it->second : lo;
      lag += std::max<int64_t>(0, hi - pos);
    }
    spec_.metrics->consumer_lag = lag;
  }

  bool send_to_dlq(const rd_kafka_message_t* m, const std::string& error) {
    if (!dlq_) return true;
    rd_kafka_headers_t* orig = nullptr;
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(m, &orig) == RD_KAFKA_RESP_ERR_NO_ERROR && orig) {
      headers = rd_kafka_headers_copy(orig);
    } else {
      headers = rd_kafka_headers_new(8);
    }
    if (spec_.dlq_context_headers) {
      auto add = [&](const char* name, const std::string& v) {
        rd_kafka_header_add(headers, name, -1, v.data(), static_cast<ssize_t>(v.size()));
      };
      add("__connect.errors.topic", rd_kafka_topic_name(m->rkt));
      add("__connect.errors.partition", std::to_string(m->partition));
      add("__connect.errors.offset", std::to_string(m->offset));
      add("__connect.errors.connector.name", spec_.connector);
      add("__connect.errors.task.id", std::to_string(spec_.id));
      add("__connect.errors.stage", "VALUE_CONVERTER");
      add("__connect.errors.exception.class.name", "org.apache.kafka.connect.errors.DataException");
      add("__connect.errors.exception.message", error);
    }
    rd_kafka_resp_err_t err = rd_kafka_producev(
        dlq_.get(), RD_KAFKA_V_TOPIC(spec_.dlq_topic.c_str()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(m->key, m->key_len),
        RD_KAFKA_V_VALUE(m->payload, m->len), RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
    if (err) {
      rd_kafka_headers_destroy(headers);
      std::string msg =
          fmt::format("could not write a record to the dead letter queue topic {}: {}",
                      spec_.dlq_topic, rd_kafka_err2str(err));
      fail(msg, "ConnectException: " + msg);
      return false;
    }
    spec_.metrics->dlq_records++;
    return true;
  }

  // Converts one message; false when the task must fail (errors.tolerance=none).
  bool convert_message(const rd_kafka_message_t* m, std::vector<SinkRecord>* batch) {
    SinkRecord r;
    r.topic = rd_kafka_topic_name(m->rkt);
    r.partition = m->partition;
    r.offset = m->offset;
    rd_kafka_timestamp_type_t tstype;
    r.timestamp = rd_kafka_message_timestamp(m, &tstype);
    std::string error;
    auto as_view = [](const void* p, size_t n) -> std::optional<std::string_view> {
      if (!p) return std::nullopt;
      return std::string_view(static_cast<const char*>(p), n);
    };
    bool ok = convert(spec_.key_converter, as_view(m->key, m->key_len), &r.key, &error);
    const char* stage = "key";
    if (ok) {
      stage = "value";
      ok = convert(spec_.value_converter, as_view(m->payload, m->len), &r.value, &error);
    }
    if (!ok) {
      spec_.metrics->record_errors++;
      std::string where = fmt::format("{} converter, topic {} partition {} offset {}", stage,
                                      r.topic, r.partition, r.offset);
      if (!spec_.tolerate_all) {
        fail("Tolerance exceeded in error handler: " + error,
             "ConnectException: Tolerance exceeded in error handler\nCaused by: DataException: " +
                 error + "\n\tat " + where);
        return false;
      }
      log::warning("connector {} task {}: skipping record ({}): {}", spec_.connector, spec_.id,
                   where, error);
      return send_to_dlq(m, error);
    }
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs) {
      const char* name;
      const void* value;
      size_t size;
      for (size_t i = 0;
           rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i) {
        Header h{name, std::nullopt};
        if (value) h.value = std::string(static_cast<const char*>(value), size);
        r.headers.push_back(std::move(h));
      }
    }
    batch->push_back(std::move(r));
    return true;
  }

  // The group's committed offsets of `parts` into *out (those with none left out); false when
  // the broker did not answer in time.
  bool committed(rd_kafka_t* rk, const rd_kafka_topic_partition_list_t* parts, OffsetMap* out) {
    kafka::TopicPartitionList copy(rd_kafka_topic_partition_list_copy(parts));
    rd_kafka_resp_err_t err = rd_kafka_committed(rk, copy.get(), 5000);
    for (int i = 0; !err && i < copy->cnt; ++i) err = copy->elems[i].err;
    if (err) {
      int asked = 0;
      for (int i = 0; i < parts->cnt; ++i)
        asked += pending_seeks_.count({parts->elems[i].topic, parts->elems[i].partition}) ? 1 : 0;
      log::warning(
          "connector {} task {}: committed offsets not read ({}): the partitions start at the "
          "group's committed offsets{}",
          spec_.connector, spec_.id, rd_kafka_err2str(err),
          asked ? fmt::format(" (the {} position(s) the task asked for are ignored)", asked) : "");
      return false;
    }
    for (int i = 0; i < copy->cnt; ++i) {
      if (copy->elems[i].offset >= 0)
        (*out)[{copy->elems[i].topic, copy->elems[i].partition}] = copy->elems[i].offset;
    }
    return true;
  }

  // Seeks the task asked for outside open(); records fetched before them are dropped by librdkafka.
  void apply_seeks() {
    OffsetMap seeks;
    for (const auto& [tp, off] : pending_seeks_) {
      if (assigned_.count(tp)) seeks[tp] = off;
    }
    pending_seeks_.clear();
    if (seeks.empty()) return;
    kafka::TopicPartitionList list = to_list(seeks);
    if (rd_kafka_error_t* e = rd_kafka_seek_partitions(consumer_.get(), list.get(), 10000)) {
      std::string m =
          fmt::format("seek requested by the task failed: {}", rd_kafka_error_string(e));
      rd_kafka_error_destroy(e);
      fail(m, "ConnectException: " + m);
      return;
    }
    for (int i = 0; i < list->cnt; ++i) {
      if (list->elems[i].err) {
        std::string m = fmt::format("seek of {}-{} to offset {} requested by the task failed: {}",
                                    list->elems[i].topic, list->elems[i].partition,
                                    list->elems[i].offset, rd_kafka_err2str(list->elems[i].err));
        fail(m, "ConnectException: " + m);
        return;
      }
    }
    for (const auto& [tp, off] : seeks) current_[tp] = off;
    jumps_.expect(list.get());
  }

  // A static member leaves the group on a clean stop (or a failure), so its partitions go to
  // the other members, and the connector's offsets can be changed, at once rather than after
  // session.timeout.ms; a fenced one no longer has a place to leave.
  void leave_group() {
    if (fenced_ || !kafka::is_static_member(consumer_.get())) return;
    if (rd_kafka_fatal_error(consumer_.get(), nullptr, 0)) return;
    if (!kafka::leave_group(consumer_.get(), std::chrono::seconds(10))) {
      log::warning(
          "connector {} task {}: could not leave group {} within 10 s; its partitions "
          "wait for session.timeout.ms",
          spec_.connector, spec_.id, spec_.consumer.at("group.id"));
    }
  }

  bool setup() {
    call("initialize", "SinkTask.initialize()", [&] {
      spec_.task->initialize(context_);
      return Status::Ok();
    });
    if (abandoned_) return false;
    Status s =
        call("start", "SinkTask.start()", [&] { return spec_.task->start(spec_.task_config); });
    if (abandoned_) return false;
    if (!s.ok) {
      fail(s.message, s.trace.empty() ? "ConnectException: " + s.message : s.trace);
      return false;
    }
    task_started_ = true;
    std::string err;
    kafka::Conf conf = kafka::make_conf(spec_.consumer, &err);
    if (!conf) {
      fail(err, "ConnectException: cannot configure the consumer: " + err);
      return false;
    }
    rd_kafka_conf_set_rebalance_cb(conf.get(), &TaskThread::on_rebalance);
    rd_kafka_conf_set_offset_commit_cb(conf.get(), &TaskThread::on_commit);
    rd_kafka_conf_set_opaque(conf.get(), this);
    consumer_ = kafka::make_handle(RD_KAFKA_CONSUMER, std::move(conf), &err);
    if (!consumer_) {
      fail(err, "ConnectException: cannot create the consumer: " + err);
      return false;
    }
    rd_kafka_poll_set_consumer(consumer_.get());
    if (!spec_.dlq_topic.empty() && spec_.tolerate_all) {
      kafka::Conf pconf = kafka::make_conf(spec_.producer, &err);
      if (pconf) {
        rd_kafka_conf_set_dr_msg_cb(pconf.get(), &TaskThread::on_delivery);
        rd_kafka_conf_set_opaque(pconf.get(), this);
        dlq_ = kafka::make_handle(RD_KAFKA_PRODUCER, std::move(pconf), &err);
      }
      if (!dlq_) {
        fail(err, "ConnectException: cannot create the dead letter queue producer: " + err);
        return false;
      }
    }
    subscription_.reset(rd_kafka_topic_partition_list_new(1));
    kafka::TopicPartitionList& subscription = subscription_;
    if (!spec_.topics_regex.empty()) {
      rd_kafka_topic_partition_list_add(
          subscription.get(), ("^(" + spec_.topics_regex + ")$").c_str(), RD_KAFKA_PARTITION_UA);
    }
    for (const auto& t : spec_.topics) {
      rd_kafka_topic_partition_list_add(subscription.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
    }
    rd_kafka_resp_err_t e = rd_kafka_subscribe(consumer_.get(), subscription.get());
    if (e) {
      fail(rd_kafka_err2str(e),
           std::string("ConnectException: subscribe failed: ") + rd_kafka_err2str(e));
      return false;
    }
    return true;
  }

  void loop() {
    auto next_commit = MonoClock::now() + spec_.flush_interval;
    auto next_lag = MonoClock::now();
    std::string last_consumer_error;
    std::vector<rd_kafka_message_t*> msgs;
    while (!stop_ && !failed_ && !abandoned_) {
      apply_pause();
      msgs.clear();
      rd_kafka_message_t* m =
          rd_kafka_consumer_poll(consumer_.get(), static_cast<int>(kPollTimeout.count()));
      while (m) {
        msgs.push_back(m);
        if (msgs.size() >= kMaxBatch) break;
        m = rd_kafka_consumer_poll(consumer_.get(), 0);
      }
      if (applied_paused_ && !msgs.empty()) {
        // Paused, yet fetched (a partition assigned while pausing): rewind instead of delivering.
        OffsetMap rewind;
        for (rd_kafka_message_t* msg : msgs) {
          if (msg->err) continue;
          TopicPartition tp{rd_kafka_topic_name(msg->rkt), msg->partition};
          if (!rewind.count(tp)) rewind[tp] = msg->offset;
        }
        for (rd_kafka_message_t* msg : msgs) rd_kafka_message_destroy(msg);
        if (!rewind.empty()) {
          kafka::TopicPartitionList list = to_list(rewind);
          rd_kafka_error_t* e = rd_kafka_seek_partitions(consumer_.get(), list.get(), 5000);
          if (e) rd_kafka_error_destroy(e);
          rd_kafka_pause_partitions(consumer_.get(), list.get());
        }
        continue;
      }
      std::vector<SinkRecord> batch;
      OffsetMap advanced;
      for (rd_kafka_message_t* msg : msgs) {
        if (failed_) break;
        jumps_.check(consumer_.get(), msg);
        if (msg->err) {
          if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            std::string text = rd_kafka_message_errstr(msg);
            if (text != last_consumer_error) {
              log::warning("connector {} task {}: consumer: {}", spec_.connector, spec_.id, text);
              last_consumer_error = text;
            }
          }
          continue;
        }
        TopicPartition tp{rd_kafka_topic_name(msg->rkt), msg->partition};
        if (!assigned_.count(tp)) continue;      // revoked while this batch was gathered
        if (pending_seeks_.count(tp)) continue;  // the task moved this partition: a seek follows
        spec_.metrics->records_consumed++;
        if (!convert_message(msg, &batch)) break;
        advanced[tp] = msg->offset + 1;
        if (spec_.no_seek_below_committed) floor_.try_emplace(tp, msg->offset);
        spec_.metrics->add_topic(tp.topic);
      }
      for (rd_kafka_message_t* msg : msgs) rd_kafka_message_destroy(msg);
      if (failed_) break;
      // Like Connect, put() also runs with an empty batch when nothing came, so that a task can
      // act on time (flush, rotate) on a quiet topic.
      if (!batch.empty() || msgs.empty()) {
        Status s = call("put", "SinkTask.put()", [&] { return spec_.task->put(batch); });
        if (abandoned_) break;
        if (!s.ok) {
          fail(s.message,
               "ConnectException: Exiting WorkerSinkTask due to unrecoverable exception.\nCaused "
               "by: " +
                   (s.trace.empty() ? s.message : s.trace));
          break;
        }
        spec_.metrics->records_written += batch.size();
        if (!wrote_any_ && !batch.empty()) {
          // The task's first records: when archiving resumed after a (re)start (bench/restart
          // measures up to this line).
          wrote_any_ = true;
          log::info("connector {} task {}: first {} record(s) written, from {}-{} offset {}",
                    spec_.connector, spec_.id, batch.size(), batch.front().topic,
                    batch.front().partition, batch.front().offset);
        }
      }
      for (const auto& [tp, off] : advanced) current_[tp] = off;
      if (!pending_seeks_.empty()) {
        apply_seeks();
        if (failed_) break;
      }
      if (dlq_) rd_kafka_poll(dlq_.get(), 0);
      auto now = MonoClock::now();
      if (now >= next_commit || commit_requested_) {
        commit_requested_ = false;
        if (!commit(nullptr, /*async=*/true)) break;
        next_commit = now + spec_.flush_interval;
      }
      if (now >= next_lag) {
        update_lag();
        next_lag = now + 1s;
      }
      unowned_.poll(
          consumer_.get(), spec_.consumer.at("group.id"),
          [&] {
            std::vector<TopicPartition> parts;
            partitions_of(consumer_.get(), spec_.topics, spec_.topics_regex,
                          MonoClock::now() + std::chrono::seconds(5), &parts);
            OffsetMap all;
            for (const auto& tp : parts) all[tp] = RD_KAFKA_OFFSET_INVALID;
            return to_list(all);
          },
          subscription_.get());
      char fatal[512];
      if (rd_kafka_resp_err_t e = rd_kafka_fatal_error(consumer_.get(), fatal, sizeof fatal)) {
        if (e == RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID) {
          fenced();
        } else {
          fail(fatal, std::string("ConnectException: fatal consumer error: ") + fatal);
        }
        break;
      }
    }
  }

  TaskSpec spec_;
  std::string name_;
  mutable std::mutex mu_;
  TaskStatus status_;
  bool finished_ = false;  // under mu_
  std::condition_variable finished_cv_;
  std::atomic<bool> abandoned_{false};  // set under mu_, read by the thread between calls
  std::atomic<const char*> activity_{nullptr};
  std::atomic<int64_t> activity_since_ns_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> paused_{false};
  // Task-thread state.
  bool applied_paused_ = false;
  bool failed_ = false;
  bool fenced_ = false;
  bool wrote_any_ = false;
  kafka::TopicPartitionList subscription_;
  kafka::UnownedPartitionsWatch unowned_{""};
  bool task_started_ = false;
  kafka::Handle consumer_;
  kafka::Handle dlq_;
  std::atomic<uint64_t> dlq_failures_{0};
  std::string dlq_last_error_;
  std::set<TopicPartition> assigned_;
  OffsetMap current_;
  OffsetMap committed_;
  OffsetMap pending_seeks_;  // asked for through the context, not applied yet
  // Distributed (no_seek_below_committed): where each partition started in this assignment (the
  // group's committed offset, raised to the task's position, or the first record's offset when
  // neither is known); commits never go below it.
  OffsetMap floor_;
  kafka::OffsetJumpWatch jumps_{""};  // records deleted before they were read
  bool commit_requested_ = false;
  Context context_;
};

SinkTaskRunner::SinkTaskRunner(TaskSpec spec)
    : task_(std::make_shared<TaskThread>(std::move(spec))) {
  thread_ = std::thread([task = task_] { task->run(); });
}

SinkTaskRunner::~SinkTaskRunner() {
  task_->request_stop();
  if (!task_->wait_finished(0ms)) task_->abandon(0ms);
  release_thread();
}

TaskStatus SinkTaskRunner::status() const { return task_->status(); }
void SinkTaskRunner::set_paused(bool paused) { task_->set_paused(paused); }
void SinkTaskRunner::request_stop() { task_->request_stop(); }

bool SinkTaskRunner::wait_stopped(std::chrono::milliseconds timeout) {
  if (!task_->wait_finished(timeout)) return false;
  release_thread();
  return true;
}

bool SinkTaskRunner::abandon(std::chrono::milliseconds waited) {
  if (!task_->abandon(waited)) return false;
  release_thread();
  return true;
}

size_t SinkTaskRunner::abandoned_running() { return g_abandoned_running.load(); }

void SinkTaskRunner::release_thread() {
  if (!thread_.joinable()) return;
  if (task_->wait_finished(0ms))
    thread_.join();
  else
    thread_.detach();
}

}  // namespace sentinel::connect
