// Addresses, structured log lines, rate limiting and metrics text.
#define BOOST_TEST_MODULE runtime_basics
#include <boost/test/unit_test.hpp>

#include "runtime/address.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"
#include "runtime/rng.hpp"
#include "runtime/stable_hash.hpp"

using namespace craton;

BOOST_AUTO_TEST_CASE(addresses_parse_and_reject_bad_names) {
  auto a = parse_address("node-7/agent");
  BOOST_REQUIRE(a.ok());
  BOOST_TEST(a->node == "node-7");
  BOOST_TEST(a->actor == "agent");
  BOOST_TEST(!parse_address("no-slash").ok());
  BOOST_TEST(!parse_address("/agent").ok());
  BOOST_TEST(!parse_address("n1/").ok());
  BOOST_TEST(!parse_address("n 1/agent").ok());
  BOOST_TEST(!parse_address(std::string(65, 'x') + "/a").ok());
}

// NAME@SESSION: a session of the node NAME's certificate names (clients sharing admin).
BOOST_AUTO_TEST_CASE(node_ids_may_name_a_session_of_a_certificate) {
  for (auto ok : {"store-1", "admin@1", "admin@0123456789abcdef", "via-0"})
    BOOST_TEST(validate_node_id(ok).ok(), ok);
  for (auto bad :
       {"admin@", "@1", "admin@ABC", "admin@1@2", "admin@0123456789abcdef0", "a b@1", "admin@x"})
    BOOST_TEST(!validate_node_id(bad).ok(), bad);
  BOOST_TEST(!validate_name("admin@1").ok());  // actor names and certificate names: no '@'
  BOOST_TEST(certified_name("admin@1f") == "admin");
  BOOST_TEST(certified_name("store-1") == "store-1");
  BOOST_TEST(parse_address("admin@1f/client").ok());
  BOOST_TEST(!parse_address("admin/cli@1").ok());
}

BOOST_AUTO_TEST_CASE(log_lines_are_logfmt_with_escaping) {
  auto line = format_log_line({LogLevel::warn, 1500, "n1", "router", "said \"hi\"\nthere"});
  BOOST_TEST(line == "t=1500 level=warn node=n1 actor=router msg=\"said \\\"hi\\\" there\"");
}

BOOST_AUTO_TEST_CASE(memory_sink_filters_by_level_and_bounds_lines) {
  MemorySink sink(LogLevel::info, 2);
  sink.write({LogLevel::debug, 0, "n", "a", "hidden"});
  sink.write({LogLevel::info, 1, "n", "a", "one"});
  sink.write({LogLevel::info, 2, "n", "a", "two"});
  sink.write({LogLevel::error, 3, "n", "a", "three"});
  auto lines = sink.lines();
  BOOST_REQUIRE(lines.size() == 2u);
  BOOST_TEST(lines[1].find("three") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rate_limiter_allows_once_per_key_per_interval) {
  RateLimiter limiter(1000, 2);
  BOOST_TEST(limiter.allow("peer-a", 0));
  BOOST_TEST(!limiter.allow("peer-a", 999));
  BOOST_TEST(limiter.allow("peer-b", 999));
  BOOST_TEST(limiter.allow("peer-a", 1000));
  BOOST_TEST(limiter.allow("peer-c", 1000));  // evicts the stalest key, stays bounded
}

BOOST_AUTO_TEST_CASE(metrics_render_prometheus_text) {
  Metrics m;
  m.counter("craton_test_total", "A test counter", {{"node", "n1"}}).Increment(3);
  BOOST_TEST(m.counter_value("craton_test_total", {{"node", "n1"}}) == 3.0);
  auto text = m.text();
  BOOST_TEST(text.find("# TYPE craton_test_total counter") != std::string::npos);
  BOOST_TEST(text.find("craton_test_total{node=\"n1\"} 3") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stable_hash_and_seeds_are_fixed) {
  // FNV-1a 64 reference values: these must never change, trace hashes depend on them.
  BOOST_TEST(stable_hash("") == 0xcbf29ce484222325ULL);
  BOOST_TEST(stable_hash("a") == 0xaf63dc4c8601ec8cULL);
  BOOST_TEST(derive_seed(1, "n1/a") != derive_seed(1, "n1/b"));
  Rng a(5), b(5);
  for (int i = 0; i < 100; ++i) BOOST_TEST(a.next() == b.next());
}
