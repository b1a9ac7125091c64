#include "bench/watch_bench.hpp"

#include <algorithm>
#include <atomic>
#include <unordered_map>

#include "actors/store/actor.hpp"
#include "actors/store/codec/store_codec.hpp"
#include "bench/store_load.hpp"
#include "runtime/envelope_codec.hpp"

namespace craton::bench {
namespace {

using Clock = BenchClock;
using create_atom = caf::atom_constant<caf::atom("wbcreate")>;
using created_atom = caf::atom_constant<caf::atom("wbcreated")>;
using drained_atom = caf::atom_constant<caf::atom("wbdrained")>;
using stop_atom = caf::atom_constant<caf::atom("wbstop")>;

constexpr std::uint64_t kWatchersMax = 10000;
constexpr std::uint64_t kWatchConnsMax = 64;
constexpr std::uint64_t kWatchesPerConnMax = 256;  // ReplicaConfig::watch_stream_watches_max
constexpr std::uint64_t kEventsMax = 10'000'000;   // delivery latencies kept in memory
constexpr std::uint64_t kSequenceBytes = 8;
// Creates are answered (or timed out by the client actor) within timeout_ms; this is slack
// for scheduling on a loaded machine.
constexpr std::chrono::seconds kCreateSlack{5};
constexpr std::chrono::seconds kStopWait{10};

/// When each put was sent: written by the writer's driver, read by the watchers' actors
/// (other threads, other actor systems), so each slot is an atomic. 0: not sent yet.
class SendTimes {
 public:
  SendTimes(std::uint64_t puts, Clock::time_point epoch)
      : ns_(new std::atomic<std::int64_t>[puts]()), size_(puts), epoch_(epoch) {}
  void set(std::uint64_t n, Clock::time_point sent) {
    if (n >= size_) return;
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(sent - epoch_).count();
    ns_[n].store(std::max<std::int64_t>(ns, 1), std::memory_order_release);
  }
  std::optional<Clock::time_point> get(std::uint64_t n) const {
    auto ns = n < size_ ? ns_[n].load(std::memory_order_acquire) : 0;
    if (ns == 0) return std::nullopt;
    return epoch_ + std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(ns));
  }

 private:
  std::unique_ptr<std::atomic<std::int64_t>[]> ns_;
  std::uint64_t size_;
  Clock::time_point epoch_;
};

/// One connection's watchers and what they measured. Written by its watcher actor only; the
/// creation fields are read after its created message, the rest after its answer to stop.
struct WatchConnRun {
  raft::NodeId replica = 0;
  std::uint64_t watches = 0;
  WireEnvelope create;
  StoreBenchOptions keys;  ///< prefix, key_bytes and total: which events belong to the run
  std::shared_ptr<const SendTimes> sent;
  // results
  std::vector<double> create_us;
  std::optional<Error> create_failure;  ///< the first create that was not answered `created`
  Clock::time_point established{};      ///< when the last create was answered
  std::vector<double> delivery_us;
  std::uint64_t delivered = 0;
  std::map<std::string, std::uint64_t> errors;
  Clock::time_point last_event{};
};

/// One watch as its watcher sees it.
struct WatchTrack {
  std::int64_t last_revision = 0;
  bool ended = false;  ///< canceled or lost: nothing more will come
};

struct WatcherState {
  std::unordered_map<std::uint64_t, WatchTrack> watches;  ///< by the create's correlation id
  std::uint64_t answered = 0;                             ///< creates answered
  bool drained = false;
  bool stopped = false;
  static inline const char* name = "craton.watch_bench_watcher";
};
using Watcher = caf::stateful_actor<WatcherState>;

void on_create_answer(Watcher* self, WatchConnRun& run, caf::actor waiter,
                      Result<store::DecodedStoreResponse> answer, Clock::time_point sent_at) {
  auto& st = self->state;
  const store::WatchResponse* created = nullptr;
  if (answer && answer->reply && !answer->reply->error)
    created = std::get_if<store::WatchResponse>(&answer->reply->body);
  if (created && created->created) {
    st.watches.emplace(answer->correlation, WatchTrack{});
    run.create_us.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - sent_at).count());
  } else if (!run.create_failure) {
    run.create_failure = !answer                ? answer.error()
                         : !answer->reply       ? answer->reply.error()
                         : answer->reply->error ? store::to_error(*answer->reply->error)
                                                : Error{"malformed", "not a created response"};
  }
  if (++st.answered == run.watches) {
    run.established = Clock::now();
    self->send(waiter, created_atom::value);
  }
}

void send_creates(Watcher* self, caf::actor client, std::shared_ptr<WatchConnRun> run,
                  caf::actor waiter) {
  auto subscriber = caf::actor_cast<caf::actor>(self);
  for (std::uint64_t i = 0; i < run->watches; ++i) {
    auto sent_at = Clock::now();
    // The client actor answers within its timeout (an error then), so no timeout here.
    self->request(client, caf::infinite, store::watch_atom::value,
                  store::replica_node_id(run->replica), run->create, subscriber)
        .then(
            [self, run, waiter, sent_at](WireEnvelope& reply) {
              on_create_answer(self, *run, waiter, store::decode_store_response(reply), sent_at);
            },
            [self, run, waiter, sent_at](caf::error& e) {
              auto code = e.code() == static_cast<std::uint8_t>(caf::sec::request_timeout)
                              ? "timeout"
                              : "client_error";
              on_create_answer(self, *run, waiter,
                               Error{code, "watch create: no answer from replica " +
                                               std::to_string(run->replica)},
                               sent_at);
            });
  }
}

// One event as a watcher receives it: a put of this run, once, in revision order.
void on_event(WatchConnRun& run, WatchTrack& track, const storage::Event& e,
              Clock::time_point arrived) {
  auto n = watch_bench_sequence(run.keys, e.kv.key);
  if (e.type != storage::EventType::put || !n || *n >= run.keys.total) {
    ++run.errors["foreign"];
    return;
  }
  if (e.kv.mod_revision <= track.last_revision) {
    ++run.errors["duplicate"];
    return;
  }
  track.last_revision = e.kv.mod_revision;
  ++run.delivered;
  auto sent = run.sent->get(*n);
  if (!sent) {  // cannot happen: a put's send time is recorded before it is sent
    ++run.errors["unsent_put"];
    return;
  }
  run.delivery_us.push_back(std::chrono::duration<double, std::micro>(arrived - *sent).count());
}

void on_response(Watcher* self, WatchConnRun& run, caf::actor waiter, std::uint64_t id,
                 const WireEnvelope& wire) {
  auto arrived = Clock::now();
  auto& st = self->state;
  auto it = st.watches.find(id);
  if (st.stopped || it == st.watches.end() || it->second.ended) return;
  auto d = store::decode_store_response(wire);
  auto* r =
      d.reply && !d.reply->error ? std::get_if<store::WatchResponse>(&d.reply->body) : nullptr;
  if (!r) {
    ++run.errors["malformed"];
    return;
  }
  if (r->canceled) {
    ++run.errors["watch_canceled"];
    it->second.ended = true;
    return;
  }
  if (r->events.empty()) return;  // progress (the client's keepalive answers)
  for (const auto& e : r->events) on_event(run, it->second, e, arrived);
  run.last_event = arrived;
  if (!st.drained && run.delivered == run.watches * run.keys.total) {
    st.drained = true;
    self->send(waiter, drained_atom::value);
  }
}

caf::behavior watcher(Watcher* self, caf::actor client, std::shared_ptr<WatchConnRun> run,
                      caf::actor waiter) {
  return {
      [=](create_atom) { send_creates(self, client, run, waiter); },
      [=](store::watch_event_atom, std::uint64_t id, const WireEnvelope& wire) {
        on_response(self, *run, waiter, id, wire);
      },
      [=](store::watch_lost_atom, std::uint64_t id) {
        auto it = self->state.watches.find(id);
        if (self->state.stopped || it == self->state.watches.end() || it->second.ended) return;
        it->second.ended = true;
        ++run->errors["watch_lost"];
      },
      [=](stop_atom) {
        self->state.stopped = true;
        return stop_atom::value;
      },
  };
}

// The connections' watchers, their waiters (one per actor system) and the writer's load.
struct WatchBenchRun {
  std::vector<BenchConnection> watch_conns;
  std::vector<BenchConnection> writer_conns;
  std::vector<std::shared_ptr<WatchConnRun>> watch_runs;
  std::vector<caf::actor> watchers;
  std::vector<std::unique_ptr<caf::scoped_actor>> waiters;

  ~WatchBenchRun() {
    // A scoped actor alive in a system keeps that system's shutdown waiting: drop them first.
    waiters.clear();
    watchers.clear();
    for (auto& c : watch_conns) c.host->stop();
    for (auto& c : writer_conns) c.host->stop();
  }
};

Status connect_all(const WatchBenchOptions& o, const StoreBenchTarget& target, WatchBenchRun& r) {
  for (std::uint64_t i = 0; i < o.watch_conns + o.puts.conns; ++i) {
    auto c = connect_bench_connection(target.members, i, o.puts.timeout_ms, target.security);
    if (!c) return c.error();
    (i < o.watch_conns ? r.watch_conns : r.writer_conns).push_back(std::move(*c));
  }
  return Ok{};
}

void spawn_watchers(const WatchBenchOptions& o, const StoreBenchTarget& target,
                    std::shared_ptr<const SendTimes> sent, WatchBenchRun& r) {
  const auto& prefix = o.puts.key_prefix;
  store::WatchRequest request;
  request.key = prefix.empty() ? std::string(1, '\0') : prefix;
  request.range_end = storage::prefix_end(prefix);
  WireEnvelope create{flat_store_request(store::WatchCreate{request})};
  for (std::uint64_t i = 0; i < o.watch_conns; ++i) {
    auto run = std::make_shared<WatchConnRun>();
    run->replica = target.members[i % target.members.size()].id;
    run->watches = o.watchers / o.watch_conns + (i < o.watchers % o.watch_conns ? 1 : 0);
    run->create = create;
    run->keys = o.puts;
    run->sent = sent;
    run->create_us.reserve(run->watches);
    run->delivery_us.reserve(run->watches * o.puts.total);
    auto& conn = r.watch_conns[i];
    r.waiters.push_back(std::make_unique<caf::scoped_actor>(conn.host->system()));
    r.watchers.push_back(
        conn.host->system().spawn(watcher, conn.client, run, caf::actor{*r.waiters.back()}));
    conn.host->adopt(r.watchers.back());
    r.watch_runs.push_back(std::move(run));
  }
}

// Waits for one message `Atom` from every watcher's waiter until `deadline`; false if some
// watcher did not send it in time.
template <class Atom>
bool wait_all(WatchBenchRun& r, Clock::time_point deadline) {
  bool all = true;
  for (auto& waiter : r.waiters) {
    bool got = false;
    while (!got && Clock::now() < deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      (*waiter)->receive([&](Atom) { got = true; },
                         caf::after(std::clamp(left, std::chrono::milliseconds(1),
                                               std::chrono::milliseconds(1000))) >>
                             [] {});
    }
    all = all && got;
  }
  return all;
}

// Creates every watch at once; the creation figures, or the first refusal.
Result<LatencyStats> create_watches(const WatchBenchOptions& o, WatchBenchRun& r) {
  auto started = Clock::now();
  for (auto& w : r.watchers) caf::anon_send(w, create_atom::value);
  auto deadline = started + std::chrono::milliseconds(o.puts.timeout_ms) + kCreateSlack;
  if (!wait_all<created_atom>(r, deadline))
    return Error{"timeout", "not every watch was answered within --timeout-ms"};
  std::vector<double> create_us;
  auto established = started;
  for (auto& run : r.watch_runs) {
    if (run->create_failure)
      return Error{run->create_failure->code,
                   "watch create failed: " + run->create_failure->message};
    create_us.insert(create_us.end(), run->create_us.begin(), run->create_us.end());
    established = std::max(established, run->established);
  }
  return summarize_latencies(std::move(create_us),
                             std::chrono::duration<double>(established - started).count(), {});
}

// Stops every watcher (its answer orders its writes before our reads) and merges the
// delivery figures; what never arrived is "missing".
LatencyStats collect_deliveries(const WatchBenchOptions& o, WatchBenchRun& r,
                                Clock::time_point first_sent) {
  std::vector<double> delivery_us;
  std::map<std::string, std::uint64_t> errors;
  std::uint64_t delivered = 0;
  auto last_event = first_sent;
  for (std::size_t i = 0; i < r.watchers.size(); ++i) {
    bool answered = false;
    (*r.waiters[i])
        ->request(r.watchers[i], kStopWait, stop_atom::value)
        .receive([&](stop_atom) { answered = true; }, [](caf::error&) {});
    if (!answered) {  // its figures cannot be read safely: all of its events count as missing
      ++errors["watcher_unresponsive"];
      continue;
    }
    auto& run = *r.watch_runs[i];
    delivery_us.insert(delivery_us.end(), run.delivery_us.begin(), run.delivery_us.end());
    for (const auto& [code, n] : run.errors) errors[code] += n;
    delivered += run.delivered;
    last_event = std::max(last_event, run.last_event);
  }
  auto expected = o.watchers * o.puts.total;
  if (delivered < expected) errors["missing"] += expected - delivered;
  return summarize_latencies(std::move(delivery_us),
                             std::chrono::duration<double>(last_event - first_sent).count(),
                             errors);
}

// The writer's P puts; each put's send time goes to `sent` for the watchers.
Result<LatencyStats> run_puts(const WatchBenchOptions& o, const StoreBenchTarget& target,
                              std::shared_ptr<SendTimes> sent, WatchBenchRun& r,
                              Clock::time_point& first_sent) {
  auto value = std::make_shared<std::string>(o.puts.value_bytes, 'v');
  auto keys = o.puts;
  auto runs =
      plan_store_runs(o.puts, target.members, target.leader, [keys, value](std::uint64_t n) {
        storage::PutRequest put{watch_bench_key(keys, n), *value, 0, false};
        return WireEnvelope{flat_store_request(storage::WriteRequest{std::move(put)})};
      });
  for (auto& run : runs)
    run->on_sent = [sent](std::uint64_t n, Clock::time_point at) { sent->set(n, at); };
  auto stats = run_store_load(o.puts.run_limit_s, r.writer_conns, runs);
  first_sent = Clock::time_point::max();
  for (auto& run : runs) first_sent = std::min(first_sent, run->started);
  return stats;
}

}  // namespace

std::string watch_bench_key(const StoreBenchOptions& options, std::uint64_t n) {
  std::string key = options.key_prefix;
  for (std::uint64_t i = 0; i < kSequenceBytes; ++i)
    key.push_back(char((n >> (8 * (kSequenceBytes - 1 - i))) & 0xff));
  if (options.key_bytes > kSequenceBytes) key.append(options.key_bytes - kSequenceBytes, '_');
  return key;
}

std::optional<std::uint64_t> watch_bench_sequence(const StoreBenchOptions& options,
                                                  const std::string& key) {
  const auto& prefix = options.key_prefix;
  if (key.size() != prefix.size() + std::max(options.key_bytes, kSequenceBytes) ||
      key.compare(0, prefix.size(), prefix) != 0)
    return std::nullopt;
  std::uint64_t n = 0;
  for (std::uint64_t i = 0; i < kSequenceBytes; ++i)
    n = (n << 8) | std::uint8_t(key[prefix.size() + i]);
  return n;
}

Status validate_watch_bench_options(const WatchBenchOptions& o) {
  auto bad = [](const std::string& message) { return Status(Error{"bad_flag", message}); };
  // The writer's own bounds first, named by the watch command's flags.
  if (o.puts.clients == 0 || o.puts.clients > kWatchersMax)
    return bad("--put-clients must be in 1..10000");
  if (o.puts.total == 0) return bad("--puts must be at least 1");
  if (o.puts.mode != StoreBenchMode::put || o.puts.duration_s > 0 || o.puts.conns > o.puts.clients)
    return bad("the writer sends --puts puts over at most --put-clients connections");
  if (auto s = validate_store_bench_options(o.puts); !s) return s;
  if (o.watchers == 0 || o.watchers > kWatchersMax) return bad("--watchers must be in 1..10000");
  if (o.watch_conns == 0 || o.watch_conns > kWatchConnsMax) return bad("--conns must be in 1..64");
  if (o.watch_conns > o.watchers) return bad("--conns must not exceed --watchers");
  if ((o.watchers + o.watch_conns - 1) / o.watch_conns > kWatchesPerConnMax)
    return bad(
        "at most 256 watchers per connection (a replica's watches per client stream): "
        "raise --conns");
  if (o.puts.key_bytes < kSequenceBytes)
    return bad("--key-bytes must be at least 8 (the put's sequence number)");
  if (o.watchers * o.puts.total > kEventsMax)
    return bad("--watchers x --puts must be at most 10000000 (every event's latency is kept)");
  if (o.drain_timeout_ms < 1 || o.drain_timeout_ms > 3'600'000)
    return bad("--drain-timeout-ms must be in 1..3600000");
  return Ok{};
}

Result<WatchBenchReport> run_watch_bench(const WatchBenchOptions& options) {
  if (auto s = validate_watch_bench_options(options); !s) return s.error();
  auto target = open_store_bench_target(options.puts);
  if (!target) return target.error();
  WatchBenchRun r;
  if (auto s = connect_all(options, *target, r); !s) return s.error();
  auto sent = std::make_shared<SendTimes>(options.puts.total, Clock::now());
  spawn_watchers(options, *target, sent, r);
  auto creation = create_watches(options, r);
  if (!creation) return creation.error();
  Clock::time_point first_sent;
  auto puts = run_puts(options, *target, sent, r, first_sent);
  if (!puts) return puts.error();
  wait_all<drained_atom>(r, Clock::now() + std::chrono::milliseconds(options.drain_timeout_ms));
  WatchBenchReport report;
  report.options = options;
  report.endpoints = target->endpoints;
  report.creation = *creation;
  report.puts = *puts;
  report.delivery = collect_deliveries(options, r, first_sent);
  report.expected_events = options.watchers * options.puts.total;
  return report;
}

}  // namespace craton::bench
