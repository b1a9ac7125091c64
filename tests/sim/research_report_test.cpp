// The report of `craton research compare` (sim/research/) on hand-made runs: the figures and
// their definitions (end of run, nearest-rank percentiles, means over seeds), the CSV columns,
// well-formed SVG with one series per policy, and byte-identical files for the same runs.
#define BOOST_TEST_MODULE research_report
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/research/compare_runs.hpp"
#include "sim/research/report_charts.hpp"
#include "sim/research/report_documents.hpp"
#include "sim/research/report_files.hpp"
#include "sim/research/report_html.hpp"
#include "sim/research/report_number.hpp"
#include "sim/research/run_figures.hpp"
#include "sim/research/svg_chart.hpp"
#include "tests/sim/research_sample_runs.hpp"

using namespace craton::research;
namespace fs = std::filesystem;

namespace {

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// True when every element opened is closed in order (a small check of well-formedness:
// the shell test also parses every file with an XML parser).
bool tags_balance(const std::string& xml) {
  std::vector<std::string> open;
  for (auto at = xml.find('<'); at != std::string::npos; at = xml.find('<', at + 1)) {
    auto end = xml.find('>', at);
    if (end == std::string::npos) return false;
    std::string tag = xml.substr(at + 1, end - at - 1);
    if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
    bool closing = tag[0] == '/', self = tag.back() == '/';
    std::string name = tag.substr(closing ? 1 : 0, tag.find_first_of(" /", 1) - (closing ? 1 : 0));
    if (closing) {
      if (open.empty() || open.back() != name) return false;
      open.pop_back();
    } else if (!self) {
      open.push_back(name);
    }
  }
  return open.empty();
}

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() /
             ("craton-research-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

CompareRecord sample_record() {
  return {"craton research compare --workload w.jsonl --policies fgd.yaml,best-fit.yaml",
          "w.jsonl",
          "sha256:00ff",
          {1, 2},
          100.0};
}

}  // namespace

BOOST_AUTO_TEST_CASE(numbers_print_the_same_whatever_their_history) {
  BOOST_TEST(format_number(0.5) == "0.5");
  BOOST_TEST(format_number(2.0) == "2");
  BOOST_TEST(format_number(0.1 + 0.2) == "0.3");
  BOOST_TEST(format_number(-0.0001, 3) == "0");
  BOOST_TEST(format_number(1234.5678, 2) == "1234.57");
  BOOST_TEST(format_number(1e300) != "");
}

BOOST_AUTO_TEST_CASE(percentiles_are_nearest_rank) {
  std::vector<double> values;
  for (int i = 100; i >= 1; --i) values.push_back(i);
  BOOST_TEST(nearest_rank(values, 50) == 50);
  BOOST_TEST(nearest_rank(values, 90) == 90);
  BOOST_TEST(nearest_rank(values, 99) == 99);
  BOOST_TEST(nearest_rank(values, 100) == 100);
  BOOST_TEST(nearest_rank({3, 1, 2}, 50) == 2);
  BOOST_TEST(nearest_rank({}, 99) == 0);
}

BOOST_AUTO_TEST_CASE(end_of_run_ratios_come_from_the_sample_at_the_last_submission) {
  auto run = testing::sample_run("fgd", 1, 0.05);
  auto f = figures_of(run);
  // The last pod is submitted at 50 s: the sample at t = 50 s (fill 0.5 + 0.05 + 0.01).
  BOOST_TEST(f.end_s == 50);
  BOOST_TEST(f.gpu_allocation_ratio == 0.56, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(f.cpu_allocation_ratio == 0.28, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(f.memory_allocation_ratio == 0.56 / 3, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(f.gpu_fragmentation == 4 * 0.44, boost::test_tools::tolerance(1e-9));
  // Between samples: a last submission at 55 s still takes the sample at 50 s.
  run.pods.back().submit_s = 55;
  BOOST_TEST(figures_of(run).end_s == 50);
  run.samples.clear();
  BOOST_TEST(figures_of(run).gpu_allocation_ratio == 0);
}

BOOST_AUTO_TEST_CASE(pod_figures_count_bound_unschedulable_preempted_and_pending_times) {
  auto f = figures_of(testing::sample_run("fgd", 1, 0));
  BOOST_TEST(f.pods_total == 6);
  BOOST_TEST(f.pods_bound == 5);
  BOOST_TEST(f.pods_unschedulable == 1);
  BOOST_TEST(f.pods_preempted == 1);
  // Pending times of the bound pods: 2, 3, 4, 5, 6 s (1 + i + seed).
  BOOST_TEST(f.pending_p50_s == 4);
  BOOST_TEST(f.pending_p90_s == 6);
  BOOST_TEST(f.pending_p99_s == 6);
  BOOST_TEST(f.pending_max_s == 6);
  // The last event: pod 4 bound at 46 s, finished at 66.5 s.
  BOOST_TEST(f.makespan_s == 66.5);
  // 5 pods bound between the first submission (0 s) and the last binding (46 s).
  BOOST_TEST(f.throughput_pods_per_s == 5.0 / 46, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(f.run_end_s == 100);
}

BOOST_AUTO_TEST_CASE(several_seeds_give_the_mean_and_every_seed) {
  auto summaries = summarize_policies(testing::sample_runs(2));
  BOOST_TEST_REQUIRE(summaries.size() == 2u);
  BOOST_TEST(summaries[0].policy == "fgd");
  BOOST_TEST(summaries[1].policy == "best-fit");
  BOOST_TEST_REQUIRE(summaries[0].per_seed.size() == 2u);
  BOOST_TEST(summaries[0].per_seed[0].pending_p50_s == 4);
  BOOST_TEST(summaries[0].per_seed[1].pending_p50_s == 5);
  BOOST_TEST(summaries[0].mean.pending_p50_s == 4.5);
  auto json = nlohmann::json::parse(summary_json(summaries));
  const auto& fgd = json["policies"][0];
  BOOST_TEST(fgd["policy"] == "fgd");
  BOOST_TEST(fgd["pending_p50_s"].get<double>() == 4.5);
  BOOST_TEST(fgd["seeds"].size() == 2u);
  BOOST_TEST(fgd["per_seed"][1]["seed"] == 2);
  BOOST_TEST(fgd["per_seed"][1]["pods_bound"] == 5);
  for (const char* key :
       {"policy", "pods_bound", "pods_unschedulable", "cpu_allocation_ratio",
        "gpu_allocation_ratio", "pending_p99_s", "pending_p50_s", "pending_p90_s", "makespan_s",
        "throughput_pods_per_s", "pods_preempted", "pods_evicted", "gpu_fragmentation"})
    BOOST_TEST(fgd.contains(key), key);
}

BOOST_AUTO_TEST_CASE(csv_files_have_their_columns_and_quote_what_needs_it) {
  auto runs = testing::sample_runs(2);
  auto summary = lines_of(summary_csv(summarize_policies(runs)));
  BOOST_TEST(summary[0].rfind("policy,seed,pods_total,pods_bound,pods_unschedulable,", 0) == 0);
  BOOST_TEST(summary.size() == 1u + 2 * 3);  // two seeds and a mean per policy
  BOOST_TEST(summary[3].rfind("fgd,mean,", 0) == 0);
  std::vector<const RunResult*> fgd = {&runs[0], &runs[1]};
  auto series = lines_of(timeseries_csv(fgd));
  BOOST_TEST(series[0] ==
             "seed,t_s,cpu_allocation,memory_allocation,gpu_allocation,gpu_fragmentation,"
             "pods_pending,pods_running,pods_finished,gpu_demand_arrived");
  BOOST_TEST(series.size() == 1u + 20);
  BOOST_TEST(series[6] == "1,50,0.28,0.186667,0.56,1.76,3,2,1,0");
  auto pods = lines_of(pods_csv(fgd));
  BOOST_TEST(pods[0] ==
             "seed,name,submit_s,bound_s,running_s,finished_s,pending_s,node,preempted,"
             "evicted,unschedulable");
  BOOST_TEST(pods[4] == "1,\"pod,\"\"three\"\"\",30,35,35.5,55.5,5,node-1,false,false,false");
  BOOST_TEST(pods[6] == "1,pod-5,50,,,,,,false,false,true");
}

BOOST_AUTO_TEST_CASE(charts_are_well_formed_with_one_series_per_policy) {
  auto runs = testing::sample_runs(1);
  auto charts = report_charts(runs, summarize_policies(runs));
  BOOST_TEST_REQUIRE(charts.size() == 7u);
  for (const auto& chart : charts) {
    BOOST_TEST(tags_balance(chart.svg), chart.file);
    BOOST_TEST(chart.svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0, chart.file);
    BOOST_TEST(count_of(chart.svg, "<g class=\"series\"") == 2u, chart.file);
    BOOST_TEST(count_of(chart.svg, "data-series=\"fgd\"") == 1u, chart.file);
    BOOST_TEST(count_of(chart.svg, "data-series=\"best-fit\"") == 1u, chart.file);
  }
  BOOST_TEST(charts[0].file == "allocation_cpu.svg");
  BOOST_TEST(charts[3].file == "unallocated_gpu_vs_demand.svg");
  BOOST_TEST(count_of(charts[6].svg, "<rect x=") >= 12u);  // 6 panels x 2 policies (+ legend)
}

BOOST_AUTO_TEST_CASE(long_series_are_thinned_and_names_escaped) {
  LineChart chart;
  chart.title = "a <b> & \"c\"";
  ChartSeries s{"x<y", {}};
  for (int i = 0; i < 100000; ++i) s.points.push_back({double(i), double(i % 7)});
  chart.series.push_back(s);
  auto svg = render_line_chart(chart);
  BOOST_TEST(tags_balance(svg));
  BOOST_TEST(svg.find("data-series=\"x&lt;y\"") != std::string::npos);
  BOOST_TEST(svg.find("a &lt;b&gt; &amp; &quot;c&quot;") != std::string::npos);
  BOOST_TEST(count_of(svg, ",") < 3 * kSeriesPointsMax);
}

BOOST_AUTO_TEST_CASE(nice_ticks_cover_the_range) {
  auto ticks = nice_ticks(0, 0.93);
  BOOST_TEST(ticks.front() == 0);
  BOOST_TEST(ticks.back() >= 0.93);
  BOOST_TEST(ticks.size() <= 7u);
  auto wide = nice_ticks(3, 1234);
  BOOST_TEST(wide.front() <= 3);
  BOOST_TEST(wide.back() >= 1234);
}

BOOST_AUTO_TEST_CASE(the_same_runs_write_byte_identical_files_but_cost) {
  TempDir a("a"), b("b");
  auto runs = testing::sample_runs(2);
  std::vector<RunCost> cost_a(runs.size(), RunCost{1.5, 100, 7}), cost_b(runs.size());
  BOOST_TEST_REQUIRE(check_report_dir(a.path, false).ok());
  BOOST_TEST_REQUIRE(check_report_dir(b.path, false).ok());
  BOOST_TEST_REQUIRE(write_report(a.path, runs, cost_a, sample_record()).ok());
  BOOST_TEST_REQUIRE(write_report(b.path, runs, cost_b, sample_record()).ok());
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(a.path)) {
    if (!entry.is_regular_file()) continue;
    auto rel = fs::relative(entry.path(), a.path);
    ++files;
    if (rel == "cost.json") continue;
    BOOST_TEST((read_all(entry.path()) == read_all(b.path / rel)), rel.string());
  }
  // summary.json/csv, run.json, cost.json, index.html, 7 charts, 2 policies x 2 CSV files.
  BOOST_TEST(files == 5u + 7 + 4);
  BOOST_TEST(read_all(a.path / "cost.json") != read_all(b.path / "cost.json"));
  auto run = nlohmann::json::parse(read_all(a.path / "run.json"));
  BOOST_TEST(run["workload_hash"] == "sha256:00ff");
  BOOST_TEST(run["craton_version"] == "0.1.0-test");
  BOOST_TEST(run["policies"].size() == 2u);
  BOOST_TEST(run["policies"][0]["config_text"].get<std::string>().find("KubeScheduler") !=
             std::string::npos);
  BOOST_TEST(run["seeds"].size() == 2u);
  BOOST_TEST(read_all(a.path / "run.json").find("wall_s") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_non_empty_directory_is_refused_unless_forced) {
  TempDir dir("busy");
  fs::create_directories(dir.path);
  std::ofstream(dir.path / "something") << "x";
  auto refused = check_report_dir(dir.path, false);
  BOOST_TEST(!refused.ok());
  BOOST_TEST(refused.error().message.find("--force") != std::string::npos);
  BOOST_TEST(check_report_dir(dir.path, true).ok());
  std::ofstream(dir.path / "file") << "x";
  BOOST_TEST(!check_report_dir(dir.path / "file", true).ok());
}

BOOST_AUTO_TEST_CASE(a_policy_name_that_is_not_a_plain_name_is_refused) {
  BOOST_TEST(check_policy_name("least-allocated").ok());
  BOOST_TEST(check_policy_name("fgd_v2.1").ok());
  BOOST_TEST(!check_policy_name("").ok());
  BOOST_TEST(!check_policy_name("../x").ok());
  BOOST_TEST(!check_policy_name(".hidden").ok());
  TempDir dir("badname");
  auto runs = testing::sample_runs(1);
  runs[0].run.policy = "a/b";
  BOOST_TEST(!write_report(dir.path, runs, {}, sample_record()).ok());
  BOOST_TEST(!fs::exists(dir.path / "summary.json"));
}

BOOST_AUTO_TEST_CASE(the_page_holds_tables_charts_and_the_escaped_record) {
  auto runs = testing::sample_runs(2);
  auto summaries = summarize_policies(runs);
  auto charts = report_charts(runs, summaries);
  auto html = report_html(summaries, charts, sample_record(), runs);
  BOOST_TEST(html.rfind("<!DOCTYPE html>", 0) == 0u);
  BOOST_TEST(count_of(html, "<svg ") == 7u);
  BOOST_TEST(count_of(html, "<table class=\"summary\">") == 2u);  // the mean, then per seed
  BOOST_TEST(count_of(html, "<td>fgd</td><td>mean</td>") == 1u);
  BOOST_TEST(html.find("kind: KubeSchedulerConfiguration # &lt;&amp;&gt;") != std::string::npos);
  BOOST_TEST(html.find("sha256:00ff") != std::string::npos);
  BOOST_TEST(html.find("<script") == std::string::npos);
  BOOST_TEST(html.find("http://") == html.find("http://www.w3.org/2000/svg"));  // nothing fetched
  auto body = html.find("<body>");
  BOOST_TEST(tags_balance(html.substr(body, html.find("</html>") - body)));
  // Over time, the last submission (50 s) is marked.
  BOOST_TEST(count_of(charts[2].svg, "last submission") == 1u);
}

BOOST_AUTO_TEST_CASE(every_policy_runs_on_every_seed_named_by_its_file) {
  std::vector<std::string> asked;
  RunFunction fake = [&](const PolicySeedRun& o) -> craton::Result<PolicySeedOutput> {
    asked.push_back(o.policy_file + "#" + std::to_string(o.seed));
    BOOST_TEST(o.workload_file == "w.jsonl");
    BOOST_TEST((o.duration_ms && *o.duration_ms == 5000));
    // A run that names its policy otherwise (its profile, say) is renamed after the file.
    return PolicySeedOutput{testing::sample_run("default-scheduler", 99, 0), RunCost{2, 3, 4}};
  };
  int progressed = 0;
  auto done = run_policies({"p/fgd.yaml", "q/best-fit.yaml"}, {"w.jsonl", {1, 2}, 5000}, fake,
                           [&](const RunResult&, const RunCost&) { ++progressed; });
  BOOST_TEST_REQUIRE(done.ok());
  BOOST_TEST(asked == (std::vector<std::string>{"p/fgd.yaml#1", "p/fgd.yaml#2", "q/best-fit.yaml#1",
                                                "q/best-fit.yaml#2"}),
             boost::test_tools::per_element());
  BOOST_TEST(progressed == 4);
  BOOST_TEST_REQUIRE(done->runs.size() == 4u);
  BOOST_TEST(done->costs.size() == 4u);
  BOOST_TEST(done->runs[2].run.policy == "best-fit");
  BOOST_TEST(done->runs[2].run.config_file == "q/best-fit.yaml");
  BOOST_TEST(done->runs[3].run.seed == 2u);
  BOOST_TEST(summarize_policies(done->runs).size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_failed_run_stops_the_rest_and_names_its_policy_and_seed) {
  int calls = 0;
  RunFunction failing = [&](const PolicySeedRun& o) -> craton::Result<PolicySeedOutput> {
    ++calls;
    if (o.seed == 2) return craton::Error{"run", "the world broke"};
    return PolicySeedOutput{testing::sample_run("x", o.seed, 0), RunCost{}};
  };
  auto done = run_policies({"fgd.yaml", "random.yaml"}, {"w.jsonl", {1, 2, 3}, {}}, failing);
  BOOST_TEST_REQUIRE(!done.ok());
  BOOST_TEST(done.error().message == "fgd.yaml seed 2: the world broke");
  BOOST_TEST(calls == 2);
}
