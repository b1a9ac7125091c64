// The workload format (sim/workload/): records survive a write and a read unchanged, the hash
// covers the records and only them, and the reader refuses what breaks the format -- malformed
// lines with their line numbers, unknown versions, records out of file order.
#define BOOST_TEST_MODULE workload_format
#include <boost/test/unit_test.hpp>

#include "sim/workload/workload_json.hpp"
#include "sim/workload/workload_reader.hpp"
#include "sim/workload/workload_writer.hpp"
#include "tests/sim/workload_records.hpp"

using namespace craton::workload;
using namespace craton::workload::testing;

namespace {

WorkloadHeader sample_header() {
  WorkloadHeader h;
  h.source = "test";
  h.generator = "workload_format_test";
  h.files = {"a.csv"};
  h.parameters = {{"machine_cpu_milli", "32000"}};
  return h;
}

std::vector<WorkloadRecord> sample_records() {
  Node gpu_node;
  gpu_node.name = "n1";
  gpu_node.capacity = {64000, 256LL << 30, 1LL << 40, {{"example.com/fpga", 2}}};
  gpu_node.max_pods = 200;
  gpu_node.labels = {{"zone", "a"}};
  gpu_node.taints = {{"dedicated", "gpu", "NoSchedule"}};
  gpu_node.gpu_count = 8;
  gpu_node.gpu_model = "V100M16";
  Node plain;
  plain.name = "n2";
  plain.capacity.cpu_milli = 1000;
  plain.capacity.memory_bytes = 1 << 30;
  Pod shared;
  shared.name = "p1";
  shared.submit_ms = 5;
  shared.duration_ms = 60000;
  shared.requests = {500, 1 << 28, 0, {}};
  shared.limits = Resources{1000, 1 << 29, 0, {{"example.com/fpga", 1}}};
  shared.num_gpu = 1;
  shared.gpu_milli = 460;
  shared.gpu_models = {"V100M16", "V100M32"};
  shared.priority = -5;
  shared.owner_job = "job-1";
  shared.labels = {{"app", "train"}};
  shared.node_selector = {{"zone", "a"}};
  shared.tolerations = {{"dedicated", "Equal", "gpu", "NoSchedule"}};
  shared.distinct_nodes_in_job = true;
  Pod forever;
  forever.name = "p2";
  forever.submit_ms = 5;
  NodeEvent gone{7000, "n2", NodeEventType::remove, "machine_fail"};
  return {gpu_node, plain, shared, forever, gone};
}

WorkloadSummary write_file(const std::string& path, const WorkloadHeader& h,
                           const std::vector<WorkloadRecord>& records) {
  WorkloadWriter writer(path);
  BOOST_REQUIRE(writer.header(h).ok());
  for (const auto& r : records) BOOST_REQUIRE(writer.add(r).ok());
  auto summary = writer.finish();
  BOOST_REQUIRE(summary.ok());
  return *summary;
}

std::vector<WorkloadRecord> read_file(const std::string& path, WorkloadHeader* header = nullptr) {
  auto reader = WorkloadReader::open(path);
  BOOST_REQUIRE_MESSAGE(reader.ok(), error_text(reader));
  if (header) *header = (*reader)->header();
  std::vector<WorkloadRecord> out;
  for (;;) {
    auto r = (*reader)->next();
    BOOST_REQUIRE_MESSAGE(r.ok(), error_text(r));
    if (!*r) return out;
    out.push_back(**r);
  }
}

// The error reading a file whose lines are `lines` gives (open or next), or "" when none.
std::string read_error(const TempDir& dir, const std::string& lines) {
  auto path = dir.file("bad.jsonl");
  write_all(path, lines);
  auto reader = WorkloadReader::open(path);
  if (!reader) return reader.error().message;
  for (;;) {
    auto r = (*reader)->next();
    if (!r) return r.error().message;
    if (!*r) return "";
  }
}

const std::string kHeaderLine = R"({"kind":"Workload","version":1,"source":"t"})";
const std::string kNodeLine = R"({"kind":"Node","name":"n1","capacity":{"cpu_milli":1000}})";

}  // namespace

BOOST_AUTO_TEST_CASE(records_read_back_equal_to_what_was_written) {
  TempDir dir;
  auto records = sample_records();
  auto summary = write_file(dir.file("w.jsonl"), sample_header(), records);
  BOOST_TEST(summary.nodes == 2);
  BOOST_TEST(summary.pods == 2);
  BOOST_TEST(summary.node_events == 1);
  WorkloadHeader header;
  auto back = read_file(dir.file("w.jsonl"), &header);
  BOOST_TEST(header.source == "test");
  BOOST_TEST(header.files == std::vector<std::string>{"a.csv"});
  BOOST_TEST(header.parameters.at("machine_cpu_milli") == "32000");
  BOOST_REQUIRE(back.size() == records.size());
  for (std::size_t i = 0; i < records.size(); ++i)
    BOOST_TEST(canonical_line(back[i]) == canonical_line(records[i]));
  BOOST_TEST((back == records));
  // Writing what was read gives the same bytes.
  write_file(dir.file("again.jsonl"), header, back);
  BOOST_TEST(read_all(dir.file("again.jsonl")) == read_all(dir.file("w.jsonl")));
}

BOOST_AUTO_TEST_CASE(the_hash_covers_the_records_and_not_the_header) {
  TempDir dir;
  auto records = sample_records();
  auto first = write_file(dir.file("a.jsonl"), sample_header(), records);
  BOOST_TEST(first.hash.rfind("sha256:", 0) == 0);
  BOOST_TEST(first.hash.size() == 7 + 64);
  auto header = sample_header();
  header.generator = "another tool";
  BOOST_TEST(write_file(dir.file("b.jsonl"), header, records).hash == first.hash);
  std::get<Pod>(records[2]).requests.cpu_milli += 1;
  BOOST_TEST(write_file(dir.file("c.jsonl"), header, records).hash != first.hash);
  auto summary = summarize_workload_file(dir.file("a.jsonl"));
  BOOST_REQUIRE(summary.ok());
  BOOST_TEST(summary->hash == first.hash);
  BOOST_TEST(summary->pods == 2);
}

BOOST_AUTO_TEST_CASE(a_malformed_line_is_reported_with_its_line_number) {
  TempDir dir;
  auto pod_without_time = R"({"kind":"Pod","name":"p"})";
  auto e = read_error(dir, kHeaderLine + "\n" + kNodeLine + "\n\n" + pod_without_time + "\n");
  BOOST_TEST(e.find("bad.jsonl:4: Pod: missing field submit_ms") != std::string::npos, e);
  e = read_error(dir, kHeaderLine + "\n" + kNodeLine + "\n{not json\n");
  BOOST_TEST(e.find("bad.jsonl:3: not a JSON object") != std::string::npos, e);
  e = read_error(dir, kHeaderLine + "\n" + R"({"kind":"Pod","name":"p","submit_ms":-1})" + "\n");
  BOOST_TEST(e.find(":2: Pod: submit_ms must not be negative") != std::string::npos, e);
  e = read_error(dir, kHeaderLine + "\n" +
                          R"({"kind":"Pod","name":"p","submit_ms":1,"num_gpu":2,"gpu_milli":500})");
  BOOST_TEST(e.find(":2: Pod: gpu_milli below 1000") != std::string::npos, e);
  e = read_error(dir, kHeaderLine + "\n" + R"({"kind":"Rack","name":"r"})" + "\n");
  BOOST_TEST(e.find(":2: unknown kind 'Rack'") != std::string::npos, e);
  e = read_error(dir, kHeaderLine + "\n" + std::string(WorkloadReader::kLineBytesMax + 10, ' '));
  BOOST_TEST(e.find(":2: line longer than") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(an_unknown_version_or_a_missing_header_is_refused) {
  TempDir dir;
  auto e = read_error(dir, R"({"kind":"Workload","version":2})"
                           "\n");
  BOOST_TEST(e.find("bad.jsonl:1: workload version 2 is not supported") != std::string::npos, e);
  e = read_error(dir, kNodeLine + "\n");
  BOOST_TEST(e.find("bad.jsonl:1: the first line is not") != std::string::npos, e);
  BOOST_TEST(read_error(dir, "").find("empty file") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(records_out_of_file_order_are_refused_by_reader_and_writer) {
  TempDir dir;
  auto pod_at = [](int ms) {
    return R"({"kind":"Pod","name":"p)" + std::to_string(ms) + R"(","submit_ms":)" +
           std::to_string(ms) + "}\n";
  };
  auto e = read_error(dir, kHeaderLine + "\n" + kNodeLine + "\n" + pod_at(9) + pod_at(8));
  BOOST_TEST(e.find(":4: Pod p8 at 8 ms comes after 9 ms") != std::string::npos, e);
  e = read_error(dir, kHeaderLine + "\n" + pod_at(1) + kNodeLine + "\n");
  BOOST_TEST(e.find(":3: Node n1 after the first Pod") != std::string::npos, e);
  e = read_error(dir, kHeaderLine + "\n" + kNodeLine + "\n" + kNodeLine + "\n");
  BOOST_TEST(e.find(":3: Node n1 appears twice") != std::string::npos, e);
  e = read_error(
      dir, kHeaderLine + "\n" + R"({"kind":"NodeEvent","time_ms":1,"node":"n9","event":"add"})");
  BOOST_TEST(e.find(":2: NodeEvent for n9: no such Node") != std::string::npos, e);

  auto records = sample_records();
  {
    WorkloadWriter writer(dir.file("w.jsonl"));
    BOOST_REQUIRE(writer.header(sample_header()).ok());
    BOOST_REQUIRE(writer.add(records[0]).ok());
    BOOST_REQUIRE(writer.add(records[2]).ok());
    BOOST_TEST(!writer.add(records[1]).ok());  // a Node after a Pod
  }
  // Dropped before finish(): nothing left behind.
  BOOST_TEST(!std::filesystem::exists(dir.file("w.jsonl")));
  BOOST_TEST(!std::filesystem::exists(dir.file("w.jsonl.tmp")));
}
