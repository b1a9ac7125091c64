#include "tests/linearizability/register_simulation.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace craton::linearizability::testing {
namespace {

// One client's operation in flight.
struct InFlight {
  Event invoke;
  bool applied = false;
  bool took_effect = false;  // cas: whether it matched
  Value result;              // read: the value read
};

class Simulation {
 public:
  explicit Simulation(const SimulationConfig& config)
      : config_(config), rng_(config.seed), clients_(config.clients) {}

  History run() {
    while (issued_ < config_.operations || busy_ > 0) {
      if (!lost_.empty() && rng_.chance(0.02)) apply_lost();
      const std::size_t c = rng_.uniform(0, config_.clients - 1);
      auto& slot = clients_[c];
      if (!slot) {
        if (issued_ < config_.operations) invoke(c);
      } else if (!slot->applied) {
        if (rng_.chance(config_.unknown_chance / 2))
          lose(c);
        else
          apply(*slot);
      } else {
        complete(c);
      }
    }
    return std::move(history_);
  }

 private:
  Value initial() const { return config_.kv ? Value::string("") : Value::null_value(); }
  Value& current(const Event& e) {
    auto it = data_.try_emplace(*e.key, initial()).first;
    return it->second;
  }
  Value fresh_value() {
    const auto n =
        config_.distinct_values == 0 ? next_value_++ : rng_.uniform(1, config_.distinct_values);
    return config_.kv ? Value::string("v" + std::to_string(n))
                      : Value::integer(static_cast<std::int64_t>(n));
  }

  void invoke(std::size_t c) {
    Event e;
    e.process = std::to_string(c);
    e.key = "k" + std::to_string(rng_.uniform(0, config_.keys - 1));
    const auto roll = rng_.uniform(0, 99);
    if (roll < 45) {
      e.f = OpKind::read;
    } else if (roll < 70) {
      e.f = OpKind::write;
      e.value = fresh_value();
    } else if (config_.kv && roll < 85) {
      e.f = OpKind::append;
      e.value = Value::string("[" + std::to_string(next_value_++) + "]");
    } else {
      e.f = OpKind::cas;
      // Often expect the current value so that some cas operations succeed.
      e.expected = rng_.chance(0.6) ? current(e) : fresh_value();
      e.value = fresh_value();
    }
    e.line = 0;
    history_.events.push_back(e);
    InFlight op;
    op.invoke = std::move(e);
    clients_[c] = std::move(op);
    ++busy_;
    ++issued_;
  }

  void apply(InFlight& op) {
    Value& v = current(op.invoke);
    op.applied = true;
    switch (op.invoke.f) {
      case OpKind::read:
        op.result = v;
        break;
      case OpKind::write:
        v = op.invoke.value;
        break;
      case OpKind::append:
        v.text += op.invoke.value.text;
        break;
      case OpKind::cas:
        op.took_effect = v == op.invoke.expected;
        if (op.took_effect) v = op.invoke.value;
        break;
    }
  }

  // The client loses track of its operation before it took effect: it may take effect later.
  void lose(std::size_t c) {
    if (rng_.chance(0.5)) lost_.push_back(clients_[c]->invoke);
    finish(c, EventType::info, {});
  }

  void apply_lost() {
    const std::size_t i = rng_.uniform(0, lost_.size() - 1);
    InFlight op;
    op.invoke = lost_[i];
    apply(op);
    lost_.erase(lost_.begin() + static_cast<std::ptrdiff_t>(i));
  }

  void complete(std::size_t c) {
    const InFlight& op = *clients_[c];
    if (rng_.chance(config_.unknown_chance / 2)) return finish(c, EventType::info, {});
    if (op.invoke.f == OpKind::cas && !op.took_effect) return finish(c, EventType::fail, {});
    finish(c, EventType::ok, op.invoke.f == OpKind::read ? op.result : Value{});
  }

  void finish(std::size_t c, EventType type, Value value) {
    Event e;
    e.process = std::to_string(c);
    e.type = type;
    e.f = clients_[c]->invoke.f;
    e.value = std::move(value);
    history_.events.push_back(std::move(e));
    clients_[c].reset();
    --busy_;
  }

  SimulationConfig config_;
  Rng rng_;
  std::vector<std::optional<InFlight>> clients_;
  std::vector<Event> lost_;
  std::map<std::string, Value> data_;
  History history_;
  std::size_t issued_ = 0;
  std::size_t busy_ = 0;
  std::uint64_t next_value_ = 1;
};

}  // namespace

History simulate_history(const SimulationConfig& config) {
  return Simulation(config).run();
}

bool corrupt_one_read(History& history, Rng& rng) {
  std::vector<std::size_t> reads;
  const std::size_t n = history.events.size();
  for (std::size_t i = n / 4; i < n - n / 4; ++i) {
    const Event& e = history.events[i];
    if (e.type == EventType::ok && e.f == OpKind::read) reads.push_back(i);
  }
  if (reads.empty()) return false;
  Event& e = history.events[reads[rng.uniform(0, reads.size() - 1)]];
  e.value =
      e.value.kind == Value::Kind::string ? Value::string("never-written") : Value::integer(-1);
  return true;
}

}  // namespace craton::linearizability::testing
