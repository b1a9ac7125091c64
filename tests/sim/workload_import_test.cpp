// The trace importers (sim/workload/import_*.hpp) on the real trace samples in
// ../shared/data/traces (CRATON_TRACES_DIR; README.md there states the row counts checked
// here), a few rows mapped field by field, and malformed rows -- made in temporary copies --
// reported with their file and line, skipped, or refused with strict.
#define BOOST_TEST_MODULE workload_import
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <set>
#include <sstream>

#include "sim/workload/import_alibaba_2017.hpp"
#include "sim/workload/import_alibaba_gpu_2023.hpp"
#include "sim/workload/import_google_2011.hpp"
#include "tests/sim/workload_records.hpp"

using namespace craton::workload;
using namespace craton::workload::testing;

namespace {

const std::string kTraces = CRATON_TRACES_DIR;
const std::string kGoogleTasks = kTraces + "/google-2011/task_events/part-00000-of-00500.csv.gz";
const std::string kGoogleJobs = kTraces + "/google-2011/job_events/part-00000-of-00500.csv.gz";
const std::string kBatchTask = kTraces + "/alibaba-v2017/batch_task.csv";
const std::string kServerEvent = kTraces + "/alibaba-v2017/server_event.csv";
const std::string kGpuNodes = kTraces + "/alibaba-gpu-v2023/openb_node_list_gpu_node.csv";
const std::string kGpuPods = kTraces + "/alibaba-gpu-v2023/openb_pod_list_default.csv";

// The first `count` lines of a plain text file, with line `broken` (1-based) replaced.
std::string copy_with_line(const std::string& from, std::size_t count, std::size_t broken,
                           const std::string& replacement) {
  std::istringstream in(read_all(from));
  std::string line, out;
  for (std::size_t n = 1; n <= count && std::getline(in, line); ++n)
    out += (n == broken ? replacement : line) + "\n";
  return out;
}

bool mentions(const std::vector<std::string>& problems, const std::string& what) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(what) != std::string::npos; });
}

}  // namespace

BOOST_AUTO_TEST_CASE(google_2011_tasks_become_one_pod_per_submitted_episode) {
  MemorySink sink;
  auto report = import_google_2011({kGoogleTasks, kGoogleJobs}, Google2011Options{}, sink);
  BOOST_REQUIRE_MESSAGE(report.ok(), error_text(report));
  BOOST_TEST(report->rows_read == 450146 + 10704);  // the README's counts
  BOOST_TEST(report->skipped_rows == 0);
  BOOST_TEST(sink.pod_count() == 201491);  // every SUBMIT row starts an episode here
  BOOST_TEST(sink.nodes.size() == 1000u);
  BOOST_TEST(sink.nodes[0].capacity.cpu_milli == 32000);
  BOOST_TEST(sink.header_.source == "google-2011");
  std::set<std::string> jobs;
  for (const auto& p : sink.pods) jobs.insert(p.owner_job);
  BOOST_TEST(jobs.size() == 4895u);

  // 619396393,,6251668761,0,,0,...,1,2,0.006248,0.001554,9.537e-07,0; SCHEDULE at 620915258;
  // FINISH at 649029925 (µs; the window starts at 600 s).
  const Pod* p = sink.pod("g-6251668761-0");
  BOOST_REQUIRE(p);
  BOOST_TEST(p->submit_ms == 19396);
  BOOST_TEST(p->duration_ms.value_or(-1) == 49029 - 20915);
  BOOST_TEST(p->requests.cpu_milli == 200);                    // 0.006248 * 32000
  BOOST_TEST(p->requests.memory_bytes == 213580134);           // 0.001554 * 128 GiB
  BOOST_TEST(p->requests.ephemeral_storage_bytes == 1048604);  // 9.537e-07 * 1 TiB
  BOOST_TEST(p->priority == 2);
  BOOST_TEST(p->owner_job == "6251668761");
  BOOST_TEST(p->labels.at("google.com/scheduling-class") == "1");
  BOOST_TEST(!p->distinct_nodes_in_job);
  // Submitted before the window, never ended in it: runs to the end; the last requests seen.
  p = sink.pod("g-3418314-0");
  BOOST_REQUIRE(p);
  BOOST_TEST(p->submit_ms == 0);
  BOOST_TEST(!p->duration_ms.has_value());
  BOOST_TEST(p->requests.cpu_milli == 2000);  // 0.0625 (its SCHEDULE row) * 32000
}

BOOST_AUTO_TEST_CASE(google_2011_machine_size_and_node_count_come_from_options) {
  Google2011Options options;
  options.machine = {64000, 256LL << 30, 0};
  options.nodes = 3;
  options.common.max_pods = 10;
  MemorySink sink;
  auto report = import_google_2011({kGoogleTasks}, options, sink);
  BOOST_REQUIRE(report.ok());
  BOOST_TEST(sink.nodes.size() == 3u);
  BOOST_TEST(sink.pod_count() == 10);
  BOOST_TEST(report->pods_cut);
  BOOST_TEST(sink.header_.parameters.at("machine_cpu_milli") == "64000");
}

BOOST_AUTO_TEST_CASE(google_2011_malformed_rows_are_reported_skipped_or_refused) {
  TempDir dir;
  // A plain (not gzip) copy of the first 50 task events with line 7 cut short and line 9's
  // event type out of range.
  auto all = dir.file("task_events-part0.csv");
  BOOST_REQUIRE(std::system(("zcat " + kGoogleTasks + " | head -n 50 > " + all).c_str()) == 0);
  auto text = copy_with_line(all, 50, 7, "600000001,,1,0,,0,u,1");
  write_all(all, text);
  text = copy_with_line(all, 50, 9, "600000001,,1,0,,12,u,1,2,0.1,0.1,0.1,0");
  write_all(all, text);
  MemorySink sink;
  auto report = import_google_2011({all}, Google2011Options{}, sink);
  BOOST_REQUIRE(report.ok());
  BOOST_TEST(report->rows_read == 50);
  BOOST_TEST(report->skipped_rows == 2);
  BOOST_TEST(mentions(report->problems, "task_events-part0.csv:7: 8 fields, want 13"));
  BOOST_TEST(mentions(report->problems, "task_events-part0.csv:9: bad event type '12'"));
  Google2011Options strict;
  strict.common.strict = true;
  MemorySink refused;
  report = import_google_2011({all}, strict, refused);
  BOOST_REQUIRE(!report.ok());
  BOOST_TEST(report.error().message.find("task_events-part0.csv:7:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(alibaba_2017_task_instances_become_pods_and_servers_nodes) {
  MemorySink sink(1000);
  auto report = import_alibaba_2017({kBatchTask, kServerEvent}, Alibaba2017Options{}, sink);
  BOOST_REQUIRE_MESSAGE(report.ok(), error_text(report));
  BOOST_TEST(report->rows_read == 80553 + 1352);  // the README's counts
  // 209 tasks end before they are created: malformed, skipped, each reported.
  BOOST_TEST(report->skipped_rows == 209);
  BOOST_TEST(mentions(report->problems, "task ends before it is created"));
  BOOST_TEST(sink.pod_count() == 11856938);  // instances of the other 80,344 tasks
  BOOST_TEST(sink.nodes.size() == 1313u);    // 1,313 machines, all added at time 0
  BOOST_TEST(sink.events.size() == 39u);     // the soft errors
  BOOST_TEST((sink.events[0].type == NodeEventType::soft_error));

  // Line 1 of server_event: 0,1148,add,,64,0.6900059534594777,1
  auto node = std::find_if(sink.nodes.begin(), sink.nodes.end(),
                           [](const Node& n) { return n.name == "m-1148"; });
  BOOST_REQUIRE(node != sink.nodes.end());
  BOOST_TEST(node->capacity.cpu_milli == 64000);
  BOOST_TEST(node->capacity.memory_bytes == 189667392266);  // 0.69000595... * 256 GiB
  BOOST_TEST(node->capacity.ephemeral_storage_bytes == (1LL << 40));
  // Line 2 of batch_task: 6459,6524,3,4,15740,Terminated,50,0.007956928 (instance 0 of 15,740)
  auto tasks = std::make_unique<MemorySink>();
  Alibaba2017Options first_rows;
  first_rows.common.max_pods = 20000;
  TempDir dir;
  write_all(dir.file("batch_task.csv"), copy_with_line(kBatchTask, 2, 0, ""));
  BOOST_REQUIRE(import_alibaba_2017({dir.file("batch_task.csv")}, first_rows, *tasks).ok());
  BOOST_TEST(tasks->pod_count() == 15740);
  BOOST_TEST(tasks->nodes.size() == 1300u);  // no server_event: generated nodes
  const Pod* p = tasks->pod("a-3-4-0");
  BOOST_REQUIRE(p);
  BOOST_TEST(p->submit_ms == 6459000);
  BOOST_TEST(p->duration_ms.value_or(-1) == 65000);
  BOOST_TEST(p->requests.cpu_milli == 500);
  BOOST_TEST(p->requests.memory_bytes == 2187183714);  // 0.007956928 * 256 GiB
  BOOST_TEST(p->owner_job == "3");
  BOOST_TEST(p->labels.at("alibaba.com/status") == "Terminated");
  BOOST_TEST(tasks->pod("a-3-4-15739"));
}

BOOST_AUTO_TEST_CASE(alibaba_2017_malformed_rows_are_reported_skipped_or_refused) {
  TempDir dir;
  auto path = dir.file("batch_task.csv");
  auto text = copy_with_line(kBatchTask, 30, 5, "6036,6046,4,7,lots,Waiting,,");
  write_all(path, text);
  MemorySink sink;
  auto report = import_alibaba_2017({path}, Alibaba2017Options{}, sink);
  BOOST_REQUIRE(report.ok());
  BOOST_TEST(report->rows_read == 29);
  BOOST_TEST(report->skipped_rows == 1);
  BOOST_TEST(mentions(report->problems, "batch_task.csv:5: number of instances 'lots'"));
  Alibaba2017Options strict;
  strict.common.strict = true;
  report = import_alibaba_2017({path}, strict, sink);
  BOOST_REQUIRE(!report.ok());
  BOOST_TEST(report.error().message.find("batch_task.csv:5:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(alibaba_gpu_2023_nodes_and_pods_keep_their_gpus) {
  MemorySink sink;
  auto report = import_alibaba_gpu_2023({kGpuPods, kGpuNodes}, AlibabaGpu2023Options{}, sink);
  BOOST_REQUIRE_MESSAGE(report.ok(), error_text(report));
  BOOST_TEST(report->rows_read == 1213 + 8152);  // the README's counts
  BOOST_TEST(report->skipped_rows == 0);
  BOOST_TEST(sink.nodes.size() == 1213u);
  BOOST_TEST(sink.pod_count() == 8152);
  auto gpus = std::accumulate(sink.nodes.begin(), sink.nodes.end(), 0,
                              [](int sum, const Node& n) { return sum + n.gpu_count; });
  BOOST_TEST(gpus == 6212);
  auto never_scheduled = std::count_if(sink.pods.begin(), sink.pods.end(), [](const Pod& p) {
    return p.labels.at("alibaba.com/pod-phase") == "Pending";
  });
  BOOST_TEST(never_scheduled == 897);

  // openb-node-0000,64000,262144,2,P100
  const Node& n = sink.nodes[0];
  BOOST_TEST(n.name == "openb-node-0000");
  BOOST_TEST(n.capacity.cpu_milli == 64000);
  BOOST_TEST(n.capacity.memory_bytes == 262144LL << 20);
  BOOST_TEST(n.gpu_count == 2);
  BOOST_TEST(n.gpu_model == "P100");
  BOOST_TEST(n.labels.at(kGpuModelLabel) == "P100");
  // openb-pod-0001,6000,12288,1,460,,LS,Running,427061,12902960,427061: a 0.46 GPU share
  const Pod* p = sink.pod("openb-pod-0001");
  BOOST_REQUIRE(p);
  BOOST_TEST(p->requests.cpu_milli == 6000);
  BOOST_TEST(p->requests.memory_bytes == 12288LL << 20);
  BOOST_TEST(p->num_gpu == 1);
  BOOST_TEST(p->gpu_milli == 460);
  BOOST_TEST(p->gpu_models.empty());
  BOOST_TEST(p->priority == 2000);
  BOOST_TEST(p->submit_ms == 427061000);
  BOOST_TEST(p->duration_ms.value_or(-1) == (12902960 - 427061) * 1000LL);
  // openb-pod-0061,11908,47104,1,1000,,BE,Pending,10001278,10001403,: never scheduled, kept;
  // its duration is how long it existed.
  p = sink.pod("openb-pod-0061");
  BOOST_REQUIRE(p);
  BOOST_TEST(p->priority == 0);
  BOOST_TEST(p->duration_ms.value_or(-1) == (10001403 - 10001278) * 1000LL);
}

BOOST_AUTO_TEST_CASE(alibaba_gpu_2023_gpu_spec_limits_models_and_malformed_rows_are_named) {
  TempDir dir;
  auto pods = dir.file("openb_pod_list_test.csv");
  auto text =
      copy_with_line(kGpuPods, 12, 3, "x-1,1000,1024,1,500,V100M16|V100M32,LS,Running,5,9,6");
  write_all(pods, text);
  text = copy_with_line(pods, 12, 5, "x-2,1000,1024,2,500,,LS,Running,5,9,6");
  write_all(pods, text);
  text = copy_with_line(pods, 12, 8, "x-3,1000,1024,1,500,,LS,Running");
  write_all(pods, text);
  MemorySink sink;
  auto report = import_alibaba_gpu_2023({kGpuNodes, pods}, AlibabaGpu2023Options{}, sink);
  BOOST_REQUIRE(report.ok());
  BOOST_TEST(report->skipped_rows == 2);
  BOOST_TEST(mentions(report->problems, "openb_pod_list_test.csv:5: a GPU share"));
  BOOST_TEST(mentions(report->problems, "openb_pod_list_test.csv:8: 8 fields, want 11"));
  const Pod* p = sink.pod("x-1");
  BOOST_REQUIRE(p);
  BOOST_TEST((p->gpu_models == std::vector<std::string>{"V100M16", "V100M32"}));
  BOOST_TEST(p->duration_ms.value_or(-1) == 3000);
  AlibabaGpu2023Options strict{{true, 0}};
  report = import_alibaba_gpu_2023({kGpuNodes, pods}, strict, sink);
  BOOST_REQUIRE(!report.ok());
  BOOST_TEST(report.error().message.find("openb_pod_list_test.csv:5:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(files_a_format_does_not_know_are_refused) {
  MemorySink sink;
  auto report = import_alibaba_gpu_2023({kGpuNodes, kBatchTask}, AlibabaGpu2023Options{}, sink);
  BOOST_REQUIRE(!report.ok());
  BOOST_TEST(report.error().message.find("is none of the trace's files") != std::string::npos);
  report = import_google_2011({kGoogleJobs}, Google2011Options{}, sink);
  BOOST_REQUIRE(!report.ok());
  BOOST_TEST(report.error().message.find("no task_events file") != std::string::npos);
}
