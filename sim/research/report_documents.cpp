// The JSON and CSV documents of the research report (report_documents.hpp).
#include "sim/research/report_documents.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "sim/research/report_number.hpp"

namespace craton::research {
namespace {

using nlohmann::json;

// Rounded to a millionth so that JSON shows 0.25, not 0.25000000000000006.
double rounded(double v) {
  return std::isfinite(v) ? std::round(v * 1e6) / 1e6 : 0;
}

bool is_count(const FigureField& field) {
  return std::string_view(field.name).rfind("pods_", 0) == 0;
}

json figures_json(const RunFigures& f, bool counts_as_integers) {
  json out = json::object();
  for (const auto& field : figure_fields()) {
    double v = f.*field.field;
    if (counts_as_integers && is_count(field))
      out[field.name] = static_cast<std::int64_t>(std::llround(v));
    else
      out[field.name] = rounded(v);
  }
  return out;
}

std::string optional_number(const std::optional<double>& v) {
  return v ? format_number(*v, 3) : std::string();
}

std::string figures_row(const std::string& policy, const std::string& seed, const RunFigures& f) {
  std::string row = csv_field(policy) + "," + seed;
  for (const auto& field : figure_fields()) row += "," + format_number(f.*field.field);
  return row + "\n";
}

}  // namespace

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char ch : text) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string summary_json(const std::vector<PolicySummary>& summaries) {
  json policies = json::array();
  for (const auto& s : summaries) {
    json entry = figures_json(s.mean, s.per_seed.size() == 1);
    entry["policy"] = s.policy;
    entry["seeds"] = json::array();
    entry["per_seed"] = json::array();
    for (const auto& f : s.per_seed) {
      entry["seeds"].push_back(f.seed);
      json one = figures_json(f, true);
      one["seed"] = f.seed;
      entry["per_seed"].push_back(std::move(one));
    }
    policies.push_back(std::move(entry));
  }
  json doc = {{"kind", "ResearchSummary"}, {"version", 1}, {"policies", std::move(policies)}};
  return doc.dump(2) + "\n";
}

std::string summary_csv(const std::vector<PolicySummary>& summaries) {
  std::string out = "policy,seed";
  for (const auto& field : figure_fields()) out += std::string(",") + field.name;
  out += "\n";
  for (const auto& s : summaries) {
    for (const auto& f : s.per_seed) out += figures_row(s.policy, std::to_string(f.seed), f);
    if (s.per_seed.size() > 1) out += figures_row(s.policy, "mean", s.mean);
  }
  return out;
}

std::string timeseries_csv(const std::vector<const RunResult*>& runs) {
  std::string out =
      "seed,t_s,cpu_allocation,memory_allocation,gpu_allocation,gpu_fragmentation,"
      "pods_pending,pods_running,pods_finished,gpu_demand_arrived\n";
  for (const auto* run : runs)
    for (const auto& s : run->samples)
      out += std::to_string(run->run.seed) + "," + format_number(s.t_s, 3) + "," +
             format_number(s.cpu_allocation) + "," + format_number(s.memory_allocation) + "," +
             format_number(s.gpu_allocation) + "," + format_number(s.gpu_fragmentation) + "," +
             std::to_string(s.pods_pending) + "," + std::to_string(s.pods_running) + "," +
             std::to_string(s.pods_finished) + "," + format_number(s.gpu_demand_arrived) + "\n";
  return out;
}

std::string pods_csv(const std::vector<const RunResult*>& runs) {
  std::string out =
      "seed,name,submit_s,bound_s,running_s,finished_s,pending_s,node,preempted,evicted,"
      "unschedulable\n";
  for (const auto* run : runs)
    for (const auto& p : run->pods) {
      std::optional<double> pending;
      if (p.bound_s) pending = *p.bound_s - p.submit_s;
      out += std::to_string(run->run.seed) + "," + csv_field(p.name) + "," +
             format_number(p.submit_s, 3) + "," + optional_number(p.bound_s) + "," +
             optional_number(p.running_s) + "," + optional_number(p.finished_s) + "," +
             optional_number(pending) + "," + csv_field(p.node) + "," +
             (p.preempted ? "true" : "false") + "," + (p.evicted ? "true" : "false") + "," +
             (p.unschedulable ? "true" : "false") + "\n";
    }
  return out;
}

std::string run_json(const CompareRecord& record, const std::vector<RunResult>& runs) {
  json policies = json::array();
  json runs_out = json::array();
  std::string version;
  for (const auto& r : runs) {
    if (version.empty()) version = r.run.craton_version;
    runs_out.push_back({{"policy", r.run.policy},
                        {"seed", r.run.seed},
                        {"workload_hash", r.run.workload_hash},
                        {"trace_hash", r.trace_hash},
                        {"end_s", rounded(r.end_s)},
                        {"stopped_by", r.stopped_by}});
    bool seen = false;
    for (const auto& p : policies) seen = seen || p["policy"] == r.run.policy;
    if (!seen)
      policies.push_back({{"policy", r.run.policy},
                          {"config_file", r.run.config_file},
                          {"config_text", r.run.config_text}});
  }
  json doc = {{"kind", "ResearchRun"},
              {"version", 1},
              {"craton_version", version},
              {"command_line", record.command_line},
              {"workload_file", record.workload_file},
              {"workload_hash", record.workload_hash},
              {"seeds", record.seeds},
              {"duration_s", record.duration_s ? json(rounded(*record.duration_s)) : json()},
              {"policies", std::move(policies)},
              {"runs", std::move(runs_out)}};
  return doc.dump(2) + "\n";
}

std::string cost_json(const std::vector<RunResult>& runs, const std::vector<RunCost>& costs) {
  json out = json::array();
  for (std::size_t i = 0; i < runs.size() && i < costs.size(); ++i)
    out.push_back({{"policy", runs[i].run.policy},
                   {"seed", runs[i].run.seed},
                   {"wall_s", rounded(costs[i].wall_s)},
                   {"peak_rss_bytes", costs[i].peak_rss_bytes},
                   {"events", costs[i].events}});
  json doc = {{"kind", "ResearchCost"}, {"version", 1}, {"runs", std::move(out)}};
  return doc.dump(2) + "\n";
}

}  // namespace craton::research
