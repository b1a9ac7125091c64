// The container start benchmark on a real kernel (needs root): a small run (3 rounds, 3 idle
// pods) fills every runtime's figures (runc and crun are Debian packages CI installs), the
// idle pods' shims are found and measured, and nothing is left behind: no pod, state file,
// cgroup, mount, shim or runc/crun state, and the run's temp dir is gone.
#define BOOST_TEST_MODULE agent_container_bench
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "bench/container_bench.hpp"

using namespace craton;
namespace fs = std::filesystem;

namespace {

/// A fresh parent dir for the run's temp dir, removed at the end even when a check failed.
struct ParentDir {
  std::string path;
  ParentDir() {
    char pattern[] = "/tmp/craton-cbench-test-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~ParentDir() { fs::remove_all(path); }
};

bench::ContainerBenchOptions small_run(const std::string& parent) {
  bench::ContainerBenchOptions o;
  o.runs = 3;
  o.idle_pods = 3;
  o.idle_seconds = 1;
  o.shim_command = {CRATON_TEST_SHIM};
  o.work_parent = parent;
  return o;
}

}  // namespace

BOOST_AUTO_TEST_CASE(bad_options_are_refused_before_anything_starts) {
  ParentDir parent;
  auto o = small_run(parent.path);
  o.runs = 0;
  BOOST_TEST(!bench::run_container_bench(o).ok());
  o = small_run(parent.path);
  o.shim_command.clear();
  BOOST_TEST(!bench::run_container_bench(o).ok());
  o = small_run(parent.path);
  o.idle_pods = bench::kContainerBenchIdlePodsMax + 1;
  BOOST_TEST(!bench::run_container_bench(o).ok());
  BOOST_TEST(fs::is_empty(parent.path));
}

BOOST_AUTO_TEST_CASE(a_small_run_fills_the_report_and_leaves_nothing_behind) {
  ParentDir parent;
  auto report = bench::run_container_bench(small_run(parent.path));
  BOOST_REQUIRE_MESSAGE(report.ok(), (report.ok() ? "" : report.error().message));
  BOOST_TEST_MESSAGE(bench::container_bench_text(report.value()));

  BOOST_TEST(report->runs == 3u);
  BOOST_TEST((report->cgroup_version == "v1" || report->cgroup_version == "v2"));
  BOOST_REQUIRE_EQUAL(report->runtimes.size(), 4u);
  BOOST_TEST(report->runtimes[0].runtime == "craton sandbox+container");
  BOOST_TEST(report->runtimes[1].runtime == "craton container");
  BOOST_TEST(report->runtimes[2].runtime == "runc run");
  BOOST_TEST(report->runtimes[3].runtime == "crun run");
  for (const auto& r : report->runtimes) {
    BOOST_TEST_CONTEXT(r.runtime) {
      BOOST_TEST(r.skipped.empty());
      BOOST_TEST(r.first_error.empty());
      BOOST_TEST(r.failures == 0u);
      BOOST_TEST(r.runs == 3u);
      BOOST_TEST(r.p50_ms > 0);
      BOOST_TEST(r.p50_ms <= r.p99_ms);
      BOOST_TEST(r.p99_ms <= r.max_ms);
      BOOST_TEST(r.mean_ms > 0);
      BOOST_TEST(r.p50_ratio_to_crun > 0);
    }
  }
  BOOST_TEST(report->runtimes[3].p50_ratio_to_crun == 1.0);
  BOOST_TEST(!report->runc_version.empty());
  BOOST_TEST(!report->crun_version.empty());

  const auto& idle = report->idle;
  BOOST_TEST(idle.first_error.empty(), idle.first_error);
  BOOST_TEST(idle.pods == 3u);
  BOOST_TEST(idle.running == 3u);
  BOOST_TEST(idle.shims == 3u);
  BOOST_TEST(idle.shim_rss_bytes > 0u);
  BOOST_TEST(idle.shim_pss_bytes > 0u);
  BOOST_TEST(idle.container_rss_bytes > 0u);
  BOOST_TEST(idle.bench_rss_bytes > 0u);
  BOOST_TEST(idle.start_seconds > 0);

  BOOST_TEST(report->leftovers.empty());
  for (const auto& l : report->leftovers) BOOST_TEST_MESSAGE("left: " << l);
  // The run's own temp dir (layer, state, logs, bundle) is gone too.
  BOOST_TEST(fs::is_empty(parent.path));

  auto json = bench::container_bench_json(report.value());
  BOOST_TEST(json.find("\"crun run\"") != std::string::npos);
  BOOST_TEST(json.find("\"shim_rss_bytes\"") != std::string::npos);
}
