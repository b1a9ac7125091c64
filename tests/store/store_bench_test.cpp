// The store benchmark's pure parts: latency summaries (percentiles by nearest rank, mean,
// stddev, errors) and the key sequence (distinct keys for distinct request numbers).
#define BOOST_TEST_MODULE store_bench
#include <boost/test/unit_test.hpp>

#include <set>

#include "bench/latency_stats.hpp"
#include "bench/store_bench.hpp"
#include "bench/watch_bench.hpp"

using namespace craton::bench;

BOOST_AUTO_TEST_CASE(percentiles_are_nearest_rank) {
  std::vector<double> us;
  for (int i = 1000; i >= 1; --i) us.push_back(i);  // any order
  auto s = summarize_latencies(us, 2.0, {});
  BOOST_TEST(s.requests == 1000u);
  BOOST_TEST(s.per_second == 500.0);
  BOOST_TEST(s.p50_us == 500.0);
  BOOST_TEST(s.p90_us == 900.0);
  BOOST_TEST(s.p99_us == 990.0);
  BOOST_TEST(s.p999_us == 999.0);
  BOOST_TEST(s.max_us == 1000.0);
  BOOST_TEST(s.mean_us == 500.5);
}

BOOST_AUTO_TEST_CASE(stddev_and_errors) {
  auto s = summarize_latencies({2, 4, 4, 4, 5, 5, 7, 9}, 1.0, {{"timeout", 2}, {"busy", 1}});
  BOOST_TEST(s.stddev_us == 2.0);
  BOOST_TEST(s.errors == 3u);
  BOOST_TEST(s.error_counts.at("timeout") == 2u);
  auto empty = summarize_latencies({}, 0.0, {});
  BOOST_TEST(empty.requests == 0u);
  BOOST_TEST(empty.p99_us == 0.0);
  BOOST_TEST(empty.per_second == 0.0);
}

BOOST_AUTO_TEST_CASE(keys_are_distinct_and_sized) {
  StoreBenchOptions o;
  o.key_prefix = "/p/";
  o.key_bytes = 8;
  std::set<std::string> keys;
  for (std::uint64_t n = 0; n < 100000; ++n) keys.insert(store_bench_key(o, n));
  BOOST_TEST(keys.size() == 100000u);
  BOOST_TEST(store_bench_key(o, 7).size() == 11u);
  BOOST_TEST(store_bench_key(o, 7).substr(0, 3) == "/p/");
  o.key_bytes = 256;
  BOOST_TEST(store_bench_key(o, 7).size() == 259u);
  auto first = store_bench_key(o, 7);
  o.seed = 2;
  BOOST_TEST(store_bench_key(o, 7) != first);
}

BOOST_AUTO_TEST_CASE(options_are_bounded) {
  StoreBenchOptions o;
  o.binary = "/bin/true";
  BOOST_TEST(validate_store_bench_options(o).ok());
  auto bad = [&](auto change) {
    auto copy = o;
    change(copy);
    return !validate_store_bench_options(copy).ok();
  };
  BOOST_TEST(bad([](auto& c) { c.clients = 0; }));
  BOOST_TEST(bad([](auto& c) {
    c.clients = 4;
    c.conns = 5;
  }));
  BOOST_TEST(bad([](auto& c) {
    c.conns = 65;
    c.clients = 100;
  }));
  BOOST_TEST(bad([](auto& c) { c.key_bytes = 4097; }));
  BOOST_TEST(bad([](auto& c) { c.value_bytes = 2 << 20; }));
  BOOST_TEST(bad([](auto& c) { c.total = 0; }));
  BOOST_TEST(bad([](auto& c) { c.batch = 129; }));
  BOOST_TEST(bad([](auto& c) { c.rate = -1; }));
  BOOST_TEST(bad([](auto& c) { c.binary.clear(); }));
}

BOOST_AUTO_TEST_CASE(watch_keys_carry_their_put_number) {
  StoreBenchOptions o;
  o.key_prefix = "/w/";
  o.key_bytes = 12;
  for (std::uint64_t n : {0ull, 1ull, 255ull, 256ull, 123456789ull, ~0ull}) {
    auto key = watch_bench_key(o, n);
    BOOST_TEST(key.size() == 15u);
    BOOST_TEST(key.substr(0, 3) == "/w/");
    BOOST_TEST(watch_bench_sequence(o, key).value_or(7) == n);
  }
  // Keys in put order sort in put order (big-endian numbers).
  BOOST_TEST(watch_bench_key(o, 255) < watch_bench_key(o, 256));
  // Any other key is not one of the run's puts.
  BOOST_TEST(!watch_bench_sequence(o, "/w/short").has_value());
  BOOST_TEST(!watch_bench_sequence(o, "/x/" + watch_bench_key(o, 5).substr(3)).has_value());
  BOOST_TEST(!watch_bench_sequence(o, watch_bench_key(o, 5) + "_").has_value());
}

BOOST_AUTO_TEST_CASE(watch_options_are_bounded) {
  WatchBenchOptions o;
  o.puts.binary = "/bin/true";
  BOOST_TEST(validate_watch_bench_options(o).ok());
  auto bad = [&](auto change) {
    auto copy = o;
    change(copy);
    return !validate_watch_bench_options(copy).ok();
  };
  BOOST_TEST(bad([](auto& c) { c.watchers = 0; }));
  BOOST_TEST(bad([](auto& c) { c.watchers = 10001; }));
  BOOST_TEST(bad([](auto& c) { c.watch_conns = 2; }));  // more connections than watchers
  BOOST_TEST(bad([](auto& c) {                          // 257 watches on one stream
    c.watchers = 257;
    c.watch_conns = 1;
  }));
  BOOST_TEST(!bad([](auto& c) {
    c.watchers = 1000;
    c.watch_conns = 4;
  }));
  BOOST_TEST(bad([](auto& c) { c.puts.key_bytes = 7; }));
  BOOST_TEST(bad([](auto& c) { c.puts.total = 0; }));
  BOOST_TEST(bad([](auto& c) { c.puts.clients = 0; }));
  BOOST_TEST(bad([](auto& c) {
    c.watchers = 1000;
    c.watch_conns = 4;
    c.puts.total = 10001;  // 10,010,000 latencies
  }));
  BOOST_TEST(bad([](auto& c) { c.drain_timeout_ms = 0; }));
  BOOST_TEST(bad([](auto& c) { c.puts.mode = StoreBenchMode::range; }));
}
