// `craton research`: the scheduling-research harness's tools (issue 15; docs/research.md).
// Process code: it blocks on files.
//
//   craton research import --format google-2011|alibaba-2017|alibaba-gpu-2023 --out W.jsonl
//                          [--strict] [--max-pods N] [--machine-cpu MILLI]
//                          [--machine-memory-mib MIB] [--machine-disk-mib MIB] [--nodes N] FILES...
//   craton research synth --nodes N --pods P --seed S --out W.jsonl [--rate R] [...]
//   craton research check W.jsonl     # reads it whole: counts and hash, or the first bad line
//   craton research sample --workload W.jsonl --out S.jsonl [--node-fraction F]
//                          [--pod-fraction F] [--seed S] [--inflate-gpu-demand PCT] [--pace-ms P]
//   craton research compare --workload W.jsonl --policies a.yaml,b.yaml --out DIR [--seeds K]
//                           [--duration D] [--sample-s T] [--stop-at-gpu-demand PCT]
//                           [--no-early-stop] [--force]
//                           # every policy on seeds 1..K: the report
//
// Each prints one summary line (nodes, pods, events, skipped rows, hash) and exits 0; a
// malformed row is reported on stderr with its file and line and skipped (with --strict: exit 1,
// nothing written); an unreadable file or bad usage exits 1 or 2 with one line, writing nothing.
// A new research tool is one add_research_<name>(research, exit_code) call in
// add_research_command below.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "actors/scheduler/config/scheduler_config.hpp"
#include "actors/scheduler/plugins/default_plugins.hpp"
#include "cmd/commands.hpp"
#include "cmd/research_stop_flags.hpp"
#include "sim/research/compare_runs.hpp"
#include "sim/research/report_files.hpp"
#include "sim/research/research_run.hpp"
#include "sim/workload/import_alibaba_2017.hpp"
#include "sim/workload/import_alibaba_gpu_2023.hpp"
#include "sim/workload/import_google_2011.hpp"
#include "sim/workload/synthetic_workload.hpp"
#include "sim/workload/workload_hash.hpp"
#include "sim/workload/workload_sample.hpp"
#include "sim/workload/workload_writer.hpp"
#include "sim/world/fault_schedule.hpp"

namespace craton::cmd {
namespace {

using namespace craton::workload;

struct ImportFlags {
  std::string format;
  std::string out;
  std::vector<std::string> files;
  bool strict = false;
  std::int64_t max_pods = 0;
  std::optional<std::int64_t> machine_cpu_milli, machine_memory_mib, machine_disk_mib, nodes;
};

void print_summary(const WorkloadSummary& s, std::int64_t skipped, const std::string& out) {
  std::cout << "wrote " << out << ": nodes " << s.nodes << ", pods " << s.pods << ", events "
            << s.node_events << ", skipped rows " << skipped << ", hash " << s.hash << "\n";
}

void print_problems(const ImportReport& report) {
  for (const auto& p : report.problems) std::cerr << "skipped " << p << "\n";
  if (report.skipped_rows > static_cast<std::int64_t>(report.problems.size()))
    std::cerr << "skipped " << report.skipped_rows - report.problems.size()
              << " more malformed rows\n";
}

// A trace's importer options: its default machine and node count, overridden by the flags.
template <class Options>
Options sized_options(const ImportFlags& f) {
  constexpr std::int64_t kMiB = 1 << 20;
  Options o;
  o.common = ImportOptions{f.strict, f.max_pods};
  if (f.machine_cpu_milli) o.machine.cpu_milli = *f.machine_cpu_milli;
  if (f.machine_memory_mib) o.machine.memory_bytes = *f.machine_memory_mib * kMiB;
  if (f.machine_disk_mib) o.machine.ephemeral_storage_bytes = *f.machine_disk_mib * kMiB;
  o.nodes = f.nodes.value_or(o.nodes);
  return o;
}

Result<ImportReport> run_importer(const ImportFlags& f, WorkloadSink& sink) {
  if (f.format == "google-2011")
    return import_google_2011(f.files, sized_options<Google2011Options>(f), sink);
  if (f.format == "alibaba-2017")
    return import_alibaba_2017(f.files, sized_options<Alibaba2017Options>(f), sink);
  return import_alibaba_gpu_2023(f.files, AlibabaGpu2023Options{{f.strict, f.max_pods}}, sink);
}

int run_import(const ImportFlags& f) {
  auto started = std::chrono::steady_clock::now();
  WorkloadWriter writer(f.out);
  auto report = run_importer(f, writer);
  if (!report) {
    std::cerr << "craton research import: " << report.error().message << "\n";
    return report.error().code == "usage" ? 2 : 1;
  }
  print_problems(*report);
  auto summary = writer.finish();
  if (!summary) {
    std::cerr << "craton research import: " << summary.error().message << "\n";
    return 1;
  }
  print_summary(*summary, report->skipped_rows, f.out);
  auto wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - started)
                     .count();
  std::cerr << "read " << report->rows_read << " rows in " << wall_ms << " ms";
  if (report->pods_cut) std::cerr << "; pods past --max-pods left out";
  std::cerr << "\n";
  return 0;
}

int run_synth(const SyntheticOptions& o, const std::string& out) {
  WorkloadWriter writer(out);
  auto status = generate_synthetic_workload(o, writer);
  if (!status) {
    std::cerr << "craton research synth: " << status.error().message << "\n";
    return status.error().code == "usage" ? 2 : 1;
  }
  auto summary = writer.finish();
  if (!summary) {
    std::cerr << "craton research synth: " << summary.error().message << "\n";
    return 1;
  }
  print_summary(*summary, 0, out);
  return 0;
}

void add_research_import(CLI::App& research, int& exit_code) {
  auto f = std::make_shared<ImportFlags>();
  auto* sub = research.add_subcommand("import", "Convert a public cluster trace to a workload");
  sub->add_option("--format", f->format, "The trace's format")
      ->required()
      ->check(CLI::IsMember({"google-2011", "alibaba-2017", "alibaba-gpu-2023"}));
  sub->add_option("--out", f->out, "The workload file to write (JSON lines)")->required();
  sub->add_flag("--strict", f->strict, "Refuse the trace (exit 1) at its first malformed row");
  sub->add_option("--max-pods", f->max_pods, "Keep only the first N pods in submit order")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--machine-cpu", f->machine_cpu_milli,
                  "Millicores of a normalised 1.0 CPU (google-2011: 32000; alibaba-2017 nodes "
                  "generated without server_event: 64000)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--machine-memory-mib", f->machine_memory_mib,
                  "MiB of a normalised 1.0 memory (google-2011: 131072; alibaba-2017: 262144)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--machine-disk-mib", f->machine_disk_mib,
                  "MiB of a normalised 1.0 disk (1048576)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--nodes", f->nodes,
                  "Nodes to generate when the trace has no machines (google-2011: 1000; "
                  "alibaba-2017 without server_event: 1300)")
      ->check(CLI::Range(1, 100000));
  sub->add_option("files", f->files, "The trace's files, gzip or plain CSV, own names")
      ->required()
      ->check(CLI::ExistingFile);
  sub->callback([f, &exit_code] { exit_code = run_import(*f); });
}

struct SynthFlags {
  SyntheticOptions options;
  std::int64_t node_memory_mib = 131072;
  std::string out;
};

void add_research_synth(CLI::App& research, int& exit_code) {
  auto f = std::make_shared<SynthFlags>();
  auto& o = f->options;
  auto* sub = research.add_subcommand("synth", "Generate a synthetic workload from a seed");
  sub->add_option("--nodes", o.nodes, "Nodes")->required();
  sub->add_option("--pods", o.pods, "Pods")->required();
  sub->add_option("--seed", o.seed, "Seed: the same seed gives the same file")->required();
  sub->add_option("--out", f->out, "The workload file to write (JSON lines)")->required();
  sub->add_option("--rate", o.arrivals_per_s, "Pod arrivals per second (Poisson)")
      ->capture_default_str();
  sub->add_option("--duration-mean", o.duration_mean_s,
                  "Mean pod run time in seconds (exponential)")
      ->capture_default_str();
  sub->add_option("--node-cpu", o.node_cpu_milli, "Node millicores")->capture_default_str();
  sub->add_option("--node-memory-mib", f->node_memory_mib, "Node memory in MiB")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 30));
  sub->add_option("--node-gpus", o.node_gpus, "GPUs per node")->capture_default_str();
  sub->add_option("--gpu-model", o.gpu_model, "The nodes' GPU model")->capture_default_str();
  sub->add_option("--gpu-pod-fraction", o.gpu_pod_fraction,
                  "Share of pods that ask for a GPU (whole or shared)")
      ->capture_default_str();
  sub->callback([f, &exit_code] {
    f->options.node_memory_bytes = f->node_memory_mib << 20;
    exit_code = run_synth(f->options, f->out);
  });
}

void add_research_check(CLI::App& research, int& exit_code) {
  auto path = std::make_shared<std::string>();
  auto* sub = research.add_subcommand("check", "Read a workload whole: its counts and hash");
  sub->add_option("workload", *path, "The workload file")->required();
  sub->callback([path, &exit_code] {
    auto summary = summarize_workload_file(*path);
    if (!summary) {
      std::cerr << "craton research check: " << summary.error().message << "\n";
      exit_code = 1;
      return;
    }
    std::cout << *path << ": nodes " << summary->nodes << ", pods " << summary->pods << ", events "
              << summary->node_events << ", hash " << summary->hash << "\n";
    exit_code = 0;
  });
}

// `craton research sample` (sim/workload/workload_sample.hpp).
struct SampleFlags {
  std::string workload, out;
  SampleOptions options;
  std::optional<double> inflate_pct;
};

int run_sample(const SampleFlags& f) {
  auto fail = [](const std::string& message, int code) {
    std::cerr << "craton research sample: " << message << "\n";
    return code;
  };
  auto w = research::read_research_workload(f.workload);
  if (!w) return fail("workload " + f.workload + ": " + w.error().message, 1);
  auto options = f.options;
  if (f.inflate_pct) options.inflate_gpu_demand = *f.inflate_pct / 100.0;
  WorkloadWriter writer(f.out);
  auto status = sample_workload(w->header, w->nodes, w->pods, w->node_events, options, writer);
  if (!status) return fail(status.error().message, status.error().code == "usage" ? 2 : 1);
  auto summary = writer.finish();
  if (!summary) return fail(summary.error().message, 1);
  print_summary(*summary, 0, f.out);
  return 0;
}

void add_research_sample(CLI::App& research, int& exit_code) {
  auto f = std::make_shared<SampleFlags>();
  auto& o = f->options;
  auto* sub = research.add_subcommand(
      "sample", "A seeded sample of a workload's nodes and pods, inflated and paced if asked");
  sub->add_option("--workload", f->workload, "The workload to sample (JSON lines)")->required();
  sub->add_option("--out", f->out, "The workload file to write (JSON lines)")->required();
  sub->add_option("--node-fraction", o.node_fraction, "Share of the nodes kept, in (0, 1]")
      ->capture_default_str();
  sub->add_option("--pod-fraction", o.pod_fraction, "Share of the pods kept, in (0, 1]")
      ->capture_default_str();
  sub->add_option("--seed", o.seed, "Seed of the draws")->capture_default_str();
  sub->add_option("--inflate-gpu-demand", f->inflate_pct,
                  "Append copies of sampled pods until their GPU requests reach PCT% of the "
                  "sampled nodes' GPUs (the FGD paper's inflation)")
      ->check(CLI::Range(0.001, 100000.0));
  sub->add_option("--pace-ms", o.pace_ms,
                  "Pod i arrives at i x P ms and runs until the stop; node events dropped")
      ->check(CLI::NonNegativeNumber);
  sub->callback([f, &exit_code] { exit_code = run_sample(*f); });
}

// `craton research compare`: every policy on every seed through run_research
// (sim/research/research_run.hpp), then the report (sim/research/report_files.hpp). Inputs are
// all checked before the first run and before DIR is touched.
struct CompareFlags {
  std::string workload;
  std::vector<std::string> policies;
  std::string out;
  int seeds = 1;
  std::string duration;
  bool force = false;
  ResearchStopFlags stop;
  std::int64_t sample_s = 10;
};

inline constexpr int kCompareSeedsMax = 100;
inline constexpr std::size_t kComparePoliciesMax = 32;

// A policy file's name (its stem) once the file reads and parses as a KubeSchedulerConfiguration
// whose plugins all exist.
Result<std::string> checked_policy(const std::string& file) {
  std::error_code ec;
  auto size = std::filesystem::file_size(file, ec);
  if (ec) return Error{"usage", "policy " + file + ": " + ec.message()};
  if (size > scheduler::kConfigBytesMax)
    return Error{"usage", "policy " + file + ": larger than " +
                              std::to_string(scheduler::kConfigBytesMax) + " bytes"};
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Error{"usage", "policy " + file + ": cannot read it"};
  auto config = scheduler::parse_scheduler_config(text.str());
  if (!config) return Error{"usage", "policy " + file + ": " + config.error().message};
  // Building the frameworks catches an unknown plugin name before hours of runs, not during.
  scheduler::ResourceNames names;
  auto built = scheduler::build_frameworks(*config, scheduler::default_registry(), names);
  if (!built) return Error{"usage", "policy " + file + ": " + built.error().message};
  std::string name = std::filesystem::path(file).stem().string();
  if (auto ok = research::check_policy_name(name); !ok)
    return Error{"usage", "policy " + file + ": " + ok.error().message};
  return name;
}

Status check_policies(const std::vector<std::string>& files) {
  if (files.empty() || files.size() > kComparePoliciesMax)
    return Error{"usage", "--policies: give 1 to " + std::to_string(kComparePoliciesMax) +
                              " policy files, comma-separated"};
  std::vector<std::string> names;
  for (const auto& file : files) {
    auto name = checked_policy(file);
    if (!name) return name.error();
    if (std::find(names.begin(), names.end(), *name) != names.end())
      return Error{"usage", "--policies: two files are named " + *name +
                                " (the report names policies by file stem)"};
    names.push_back(*name);
  }
  return Ok{};
}

// The command that reproduces the comparison, for run.json. --force is left out: it changes
// where files may go, not what they hold, and a rerun with --force must write the same run.json.
std::string compare_command_line(const CompareFlags& f) {
  std::string policies;
  for (const auto& p : f.policies) policies += (policies.empty() ? "" : ",") + p;
  std::string line = "craton research compare --workload " + f.workload + " --policies " +
                     policies + " --out " + f.out + " --seeds " + std::to_string(f.seeds);
  if (!f.duration.empty()) line += " --duration " + f.duration;
  if (f.sample_s != 10) line += " --sample-s " + std::to_string(f.sample_s);
  return line + f.stop.text();
}

// Every check on the flags and inputs: the record of the comparison, or the first problem.
Result<research::CompareRecord> checked_compare(const CompareFlags& f) {
  research::CompareRecord record;
  if (f.seeds < 1 || f.seeds > kCompareSeedsMax)
    return Error{"usage", "--seeds must be 1.." + std::to_string(kCompareSeedsMax)};
  if (!f.duration.empty()) {
    auto ms = sim::parse_duration_ms(f.duration);
    if (!ms) return Error{"usage", "--duration: " + ms.error().message};
    if (*ms < 1000) return Error{"usage", "--duration must be at least 1s"};
    record.duration_s = double(*ms) / 1000;
  }
  if (auto ok = check_policies(f.policies); !ok) return ok.error();
  auto workload = summarize_workload_file(f.workload);
  if (!workload) return Error{"input", "workload " + f.workload + ": " + workload.error().message};
  record.command_line = compare_command_line(f);
  record.workload_file = f.workload;
  record.workload_hash = workload->hash;
  for (int s = 1; s <= f.seeds; ++s) record.seeds.push_back(std::uint64_t(s));
  return record;
}

int run_compare(const CompareFlags& f) {
  auto fail = [](const Error& e) {
    std::cerr << "craton research compare: " << e.message << "\n";
    return e.code == "usage" ? 2 : 1;
  };
  auto record = checked_compare(f);
  if (!record) return fail(record.error());
  if (auto ok = research::check_report_dir(f.out, f.force); !ok) return fail(ok.error());
  research::CompareRunOptions options{f.workload, record->seeds, std::nullopt};
  if (record->duration_s) options.duration_ms = std::int64_t(*record->duration_s * 1000);
  auto progress = [](const research::RunResult& r, const research::RunCost& cost) {
    std::cerr << r.run.policy << " seed " << r.run.seed << ": " << r.pods.size() << " pods, wall "
              << cost.wall_s << " s, stopped by " << r.stopped_by << " at " << r.end_s
              << " s simulated\n";
  };
  // Every run replays the same workload: read it once.
  auto workload = research::read_research_workload(f.workload);
  if (!workload)
    return fail(Error{"input", "workload " + f.workload + ": " + workload.error().message});
  research::RunFunction run =
      [&workload, &f](const research::PolicySeedRun& r) -> Result<research::PolicySeedOutput> {
    research::ResearchRunOptions o;
    o.duration_ms = r.duration_ms;
    o.sample_period_ms = f.sample_s * 1000;
    f.stop.apply(o);
    o.craton_version = CRATON_VERSION;
    auto outcome = research::run_research(*workload, r.policy_file, r.seed, o);
    if (!outcome) return outcome.error();
    if (!outcome->store_failures.empty())
      return Error{"check", r.policy_file + " seed " + std::to_string(r.seed) +
                                ": the store checker failed: " + outcome->store_failures.front()};
    if (!outcome->refusals.empty())
      return Error{"check", r.policy_file + " seed " + std::to_string(r.seed) +
                                ": the API refused " + std::to_string(outcome->refusals.size()) +
                                " creates (figures would count them as unschedulable), first " +
                                outcome->refusals.front()};
    return research::PolicySeedOutput{std::move(outcome->result), outcome->cost};
  };
  auto done = research::run_policies(f.policies, options, run, progress);
  if (!done) return fail(done.error());
  if (auto ok = research::write_report(f.out, done->runs, done->costs, *record); !ok)
    return fail(ok.error());
  std::cout << "wrote " << f.out << ": " << f.policies.size() << " policies x " << f.seeds
            << " seeds; open " << f.out << "/index.html\n";
  return 0;
}

void add_research_compare(CLI::App& research, int& exit_code) {
  auto f = std::make_shared<CompareFlags>();
  auto* sub = research.add_subcommand(
      "compare", "Run policies on a workload and seeds; write figures, charts and an HTML report");
  sub->add_option("--workload", f->workload, "The workload file (JSON lines)")->required();
  sub->add_option("--policies", f->policies, "KubeSchedulerConfiguration files, comma-separated")
      ->required()
      ->delimiter(',');
  sub->add_option("--out", f->out, "The report's folder (absent or empty)")->required();
  sub->add_option("--seeds", f->seeds, "Seeds 1..K per policy (K <= 100)")->capture_default_str();
  sub->add_option("--duration", f->duration, "Simulated time per run, e.g. 600s, 2h");
  sub->add_option("--sample-s", f->sample_s, "Usage sample period in simulated seconds")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  f->stop.add_to(sub);
  sub->add_flag("--force", f->force, "Write into a non-empty --out (report files overwritten)");
  sub->callback([f, &exit_code] { exit_code = run_compare(*f); });
}

}  // namespace

// `craton research run` (cmd/research_run_command.cpp).
void add_research_run(CLI::App& research, int& exit_code);

void add_research_command(CLI::App& app, int& exit_code) {
  auto* research = app.add_subcommand(
      "research", "Scheduling research: workloads from traces or a seed (docs/research.md)");
  research->require_subcommand(1);
  add_research_import(*research, exit_code);
  add_research_synth(*research, exit_code);
  add_research_check(*research, exit_code);
  add_research_sample(*research, exit_code);
  add_research_compare(*research, exit_code);
  add_research_run(*research, exit_code);
}

}  // namespace craton::cmd
