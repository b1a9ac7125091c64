// The checker against generated histories: small random ones compared with a brute-force
// search, histories from a real atomic register with concurrent clients (must pass) and the same
// with one read corrupted (must fail), and one 20,000-operation key. Times are printed with
// --log_level=message, never asserted.
#define BOOST_TEST_MODULE lin_random
#include <boost/test/unit_test.hpp>

#include "tests/linearizability/printing.hpp"

#include <chrono>
#include <iostream>

#include "runtime/rng.hpp"
#include "sim/linearizability/checker.hpp"
#include "tests/linearizability/register_simulation.hpp"

namespace lin = craton::linearizability;
using lin::OpKind;
using lin::Value;
using lin::Verdict;

namespace {

// ---- A brute-force oracle: tries every order the real-time constraints allow, no pruning. ----

Value kv_normal(const Value& v) {
  return v.is_null() ? Value::string("") : v;
}

bool oracle_step(Value& state, const lin::Operation& op, lin::Model model) {
  const bool kv = model == lin::Model::kv;
  switch (op.f) {
    case OpKind::read:
      return state == (kv ? kv_normal(op.value) : op.value);
    case OpKind::write:
      state = op.value;
      return true;
    case OpKind::append:
      state.text += op.value.text;
      return true;
    case OpKind::cas:
      if (!(state == (kv ? kv_normal(op.expected) : op.expected))) return false;
      state = op.value;
      return true;
  }
  return false;
}

bool oracle(const std::vector<lin::Operation>& ops, std::uint32_t placed, const Value& state,
            lin::Model model) {
  std::size_t first_return = lin::kNeverCompleted;
  bool all_done = true;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if ((placed >> i) & 1 || !ops[i].completed) continue;
    all_done = false;
    first_return = std::min(first_return, ops[i].complete_pos);
  }
  if (all_done) return true;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if ((placed >> i) & 1 || ops[i].invoke_pos > first_return) continue;
    Value next = state;
    if (oracle_step(next, ops[i], model) && oracle(ops, placed | (1u << i), next, model))
      return true;
  }
  return false;
}

// How random small histories are drawn: few distinct values and many unknown outcomes make
// unknown operations matter more often.
struct SmallShape {
  std::uint64_t values;      // values drawn from 1..values
  std::uint64_t ok_percent;  // completions that are ok; the rest mostly info, some fail
};

// A random single-key history that may or may not be linearizable.
lin::History random_small_history(craton::Rng& rng, lin::Model model, SmallShape shape) {
  lin::History h;
  const std::size_t processes = 4;
  std::vector<std::optional<OpKind>> open(processes);
  std::size_t to_invoke = rng.uniform(3, 10);
  auto random_value = [&](bool allow_null) {
    const auto v = rng.uniform(allow_null ? 0 : 1, shape.values);
    if (model == lin::Model::kv) return Value::string(std::string(v, 'a'));
    return v == 0 ? Value::null_value() : Value::integer(static_cast<std::int64_t>(v));
  };
  for (;;) {
    bool busy = false;
    for (auto& o : open) busy = busy || o.has_value();
    if (to_invoke == 0 && !busy) break;
    const std::size_t p = rng.uniform(0, processes - 1);
    lin::Event e;
    e.process = std::to_string(p);
    e.key = "k";
    if (!open[p]) {
      if (to_invoke == 0) continue;
      --to_invoke;
      const auto roll = rng.uniform(0, model == lin::Model::kv ? 3 : 2);
      e.f = roll == 0   ? OpKind::read
            : roll == 1 ? OpKind::write
            : roll == 2 ? OpKind::cas
                        : OpKind::append;
      if (e.f != OpKind::read) e.value = random_value(false);
      if (e.f == OpKind::cas) e.expected = random_value(true);
      open[p] = e.f;
    } else {
      const auto roll = rng.uniform(0, 99);
      e.f = *open[p];
      e.type = roll < shape.ok_percent ? lin::EventType::ok
               : roll < 90             ? lin::EventType::info
                                       : lin::EventType::fail;
      if (e.f == OpKind::read && e.type == lin::EventType::ok) e.value = random_value(true);
      open[p].reset();
    }
    h.events.push_back(std::move(e));
  }
  return h;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

lin::CheckResult check(const lin::History& h, lin::Model model) {
  auto result = lin::check_history(h, model);
  BOOST_REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
  return result.value();
}

}  // namespace

BOOST_AUTO_TEST_CASE(agrees_with_brute_force_on_small_random_histories) {
  for (lin::Model model : {lin::Model::register_model, lin::Model::kv}) {
    for (SmallShape shape : {SmallShape{3, 70}, SmallShape{2, 50}}) {
      craton::Rng rng(model == lin::Model::kv ? 7 + shape.values : 3 + shape.values);
      std::size_t linearizable = 0;
      const std::size_t cases = 5000;
      for (std::size_t n = 0; n < cases; ++n) {
        const lin::History h = random_small_history(rng, model, shape);
        auto ops = lin::collect_operations(h);
        BOOST_REQUIRE(ops.ok());
        const Value start = model == lin::Model::kv ? Value::string("") : Value::null_value();
        const bool expected = oracle(ops.value(), 0, start, model);
        const Verdict got = check(h, model).verdict;
        BOOST_REQUIRE_MESSAGE(
            got == (expected ? Verdict::linearizable : Verdict::not_linearizable),
            "case " << n << " model " << lin::to_string(model) << " values " << shape.values);
        linearizable += expected;
      }
      // Both verdicts must be well represented, or the comparison proves little.
      BOOST_TEST(linearizable > cases / 10);
      BOOST_TEST(linearizable < cases - cases / 10);
      BOOST_TEST_MESSAGE(lin::to_string(model)
                         << " (values " << shape.values << "): " << linearizable << " of " << cases
                         << " random histories linearizable");
    }
  }
}

BOOST_AUTO_TEST_CASE(simulated_register_histories_pass_and_corrupted_ones_fail) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    lin::testing::SimulationConfig config;
    config.seed = seed;
    config.operations = 400;
    config.clients = 2 + seed % 6;
    config.kv = seed % 2 == 0;
    config.keys = 1 + seed % 3;
    config.unknown_chance = seed % 4 == 0 ? 0.1 : 0.02;
    config.distinct_values = seed % 3 == 0 ? 4 : 0;  // repeated values, as Jepsen uses
    const lin::Model model = config.kv ? lin::Model::kv : lin::Model::register_model;
    lin::History h = lin::testing::simulate_history(config);
    BOOST_REQUIRE_MESSAGE(check(h, model).verdict == Verdict::linearizable, "seed " << seed);
    craton::Rng rng(seed);
    BOOST_REQUIRE(lin::testing::corrupt_one_read(h, rng));
    BOOST_REQUIRE_MESSAGE(check(h, model).verdict == Verdict::not_linearizable, "seed " << seed);
  }
}

// Not timed: prints how long a 20,000-operation key takes (run with --log_level=message).
BOOST_AUTO_TEST_CASE(twenty_thousand_operations_on_one_key) {
  struct Shape {
    const char* name;
    bool kv;
    std::uint64_t distinct_values;
    double unknown_chance;
  };
  for (Shape shape :
       {Shape{"register, unique values", false, 0, 0.02},
        Shape{"register, 5 values", false, 5, 0.05}, Shape{"kv with appends", true, 0, 0.02}}) {
    lin::testing::SimulationConfig config;
    config.seed = 2026;
    config.operations = 20'000;
    config.clients = 8;
    config.kv = shape.kv;
    config.distinct_values = shape.distinct_values;
    config.unknown_chance = shape.unknown_chance;
    const lin::Model model = shape.kv ? lin::Model::kv : lin::Model::register_model;
    lin::History h = lin::testing::simulate_history(config);
    auto start = std::chrono::steady_clock::now();
    auto good = check(h, model);
    const double pass_s = seconds_since(start);
    BOOST_TEST(good.verdict == Verdict::linearizable, shape.name);
    craton::Rng rng(99);
    BOOST_REQUIRE(lin::testing::corrupt_one_read(h, rng));
    start = std::chrono::steady_clock::now();
    auto bad = check(h, model);
    const double fail_s = seconds_since(start);
    BOOST_TEST(bad.verdict == Verdict::not_linearizable, shape.name);
    BOOST_TEST_MESSAGE(shape.name << ": " << good.operations << " operations, linearizable in "
                                  << pass_s << " s (" << good.keys[0].steps
                                  << " steps); corrupted: not linearizable in " << fail_s << " s ("
                                  << bad.keys[0].steps << " steps)");
  }
}
