// The synthetic workload generator (sim/workload/synthetic_workload.hpp): the same seed gives
// the same bytes, another seed another workload, arrivals follow the asked rate, and pods fit
// the nodes they are generated for.
#define BOOST_TEST_MODULE workload_synth
#include <boost/test/unit_test.hpp>

#include "sim/workload/synthetic_workload.hpp"
#include "sim/workload/workload_writer.hpp"
#include "tests/sim/workload_records.hpp"

using namespace craton::workload;
using namespace craton::workload::testing;

namespace {

std::string generate_file(const TempDir& dir, const std::string& name, const SyntheticOptions& o) {
  WorkloadWriter writer(dir.file(name));
  BOOST_REQUIRE(generate_synthetic_workload(o, writer).ok());
  auto summary = writer.finish();
  BOOST_REQUIRE(summary.ok());
  return summary->hash;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_bytes_and_another_seed_does_not) {
  TempDir dir;
  SyntheticOptions o;
  o.nodes = 20;
  o.pods = 2000;
  o.seed = 42;
  o.node_gpus = 4;
  auto first = generate_file(dir, "a.jsonl", o);
  auto second = generate_file(dir, "b.jsonl", o);
  BOOST_TEST(first == second);
  BOOST_TEST(read_all(dir.file("a.jsonl")) == read_all(dir.file("b.jsonl")));
  o.seed = 43;
  BOOST_TEST(generate_file(dir, "c.jsonl", o) != first);
}

BOOST_AUTO_TEST_CASE(arrivals_follow_the_rate_and_pods_fit_the_nodes) {
  SyntheticOptions o;
  o.nodes = 5;
  o.pods = 20000;
  o.seed = 7;
  o.arrivals_per_s = 4;
  o.duration_mean_s = 100;
  o.node_cpu_milli = 2000;
  o.node_gpus = 2;
  o.gpu_pod_fraction = 0.25;
  MemorySink sink;
  BOOST_REQUIRE(generate_synthetic_workload(o, sink).ok());
  BOOST_TEST(sink.nodes.size() == 5u);
  BOOST_TEST(sink.nodes[0].gpu_count == 2);
  BOOST_REQUIRE(sink.pods.size() == 20000u);
  // 20,000 exponential gaps of mean 250 ms: the mean is within a few percent (fixed seed).
  double mean_gap_ms = static_cast<double>(sink.pods.back().submit_ms) / 20000;
  BOOST_TEST(mean_gap_ms > 225);
  BOOST_TEST(mean_gap_ms < 275);
  double duration_sum = 0;
  int gpu_pods = 0;
  for (const auto& p : sink.pods) {
    BOOST_TEST_REQUIRE(p.requests.cpu_milli <= 2000);
    BOOST_TEST_REQUIRE(p.requests.cpu_milli > 0);
    duration_sum += static_cast<double>(*p.duration_ms);
    gpu_pods += p.num_gpu;
    if (p.num_gpu) BOOST_TEST_REQUIRE((p.gpu_milli > 0 && p.gpu_milli <= 1000));
  }
  BOOST_TEST(duration_sum / 20000 > 90'000);
  BOOST_TEST(duration_sum / 20000 < 110'000);
  BOOST_TEST(gpu_pods > 4000);
  BOOST_TEST(gpu_pods < 6000);
}

BOOST_AUTO_TEST_CASE(options_out_of_range_are_refused) {
  MemorySink sink;
  SyntheticOptions o;
  o.nodes = 0;
  BOOST_TEST(!generate_synthetic_workload(o, sink).ok());
  o.nodes = 1;
  o.arrivals_per_s = 0;
  BOOST_TEST(!generate_synthetic_workload(o, sink).ok());
  o.arrivals_per_s = 1;
  o.gpu_pod_fraction = 1.5;
  BOOST_TEST(!generate_synthetic_workload(o, sink).ok());
}
