// FakeDriver: containers as records following their command line and the script.
#include "actors/agent/fake/fake_driver.hpp"

#include <csignal>
#include <cstdlib>

namespace craton::agent {
namespace {

std::vector<std::string> command_line(const ContainerSpec& spec) {
  std::vector<std::string> argv = spec.command;
  argv.insert(argv.end(), spec.args.begin(), spec.args.end());
  return argv;
}

/// "N" as a non-negative count of seconds or an exit code; -1 when it is not one.
long long number(const std::vector<std::string>& argv, std::size_t i) {
  if (i >= argv.size() || argv[i].empty() || argv[i].size() > 9) return -1;
  for (char ch : argv[i])
    if (ch < '0' || ch > '9') return -1;
  return std::atoll(argv[i].c_str());
}

/// `sleep`'s operand "N" or "N.F" (seconds, as coreutils' sleep takes it) in milliseconds,
/// fractions below a millisecond rounded up; -1 when it is not one.
long long sleep_ms(const std::vector<std::string>& argv) {
  if (argv.size() < 2) return -1;
  const std::string& text = argv[1];
  auto dot = text.find('.');
  std::vector<std::string> whole{"", text.substr(0, dot)};
  long long seconds = number(whole, 1);
  if (seconds < 0) return -1;
  long long ms = seconds * 1000;
  if (dot == std::string::npos) return ms;
  std::string fraction = text.substr(dot + 1);
  if (fraction.empty() || fraction.size() > 9) return -1;
  long long scale = 100, rest = 0;
  for (std::size_t i = 0; i < fraction.size(); ++i) {
    char ch = fraction[i];
    if (ch < '0' || ch > '9') return -1;
    if (i < 3) {
      ms += (ch - '0') * scale;
      scale /= 10;
    } else {
      rest += ch - '0';
    }
  }
  return ms + (rest > 0 ? 1 : 0);
}

std::string joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

FakeDriver::FakeDriver(std::function<std::int64_t()> now, std::string host_ip)
    : now_(std::move(now)), host_ip_(std::move(host_ip)) {}

void FakeDriver::end(Attempt& a, int exit_code, std::string reason, std::int64_t at_ms) {
  a.status.state = ContainerState::exited;
  a.status.exit_code = exit_code;
  a.status.reason = reason.empty() ? (exit_code == 0 ? "Completed" : "Error") : std::move(reason);
  a.status.finished_at_ms = at_ms;
}

void FakeDriver::advance(Pod& pod) {
  std::int64_t now = now_();
  for (auto& [name, attempts] : pod.containers)
    for (auto& [n, a] : attempts)
      if (a.status.state == ContainerState::running && a.exits_at_ms >= 0 && a.exits_at_ms <= now)
        end(a, 0, "Completed", a.exits_at_ms);
}

Result<SandboxStatus> FakeDriver::start_sandbox(const SandboxSpec& spec) {
  std::lock_guard lock(mutex_);
  auto it = pods_.find(spec.pod_uid);
  if (it != pods_.end()) return it->second.status;
  Pod pod;
  pod.spec = spec;
  pod.status.pod_uid = spec.pod_uid;
  int n = next_ip_++;
  pod.status.pod_ip = spec.host_network
                          ? host_ip_
                          : "10.88." + std::to_string(n / 250) + "." + std::to_string(n % 250 + 2);
  pods_.emplace(spec.pod_uid, pod);
  return pod.status;
}

Status FakeDriver::remove_sandbox(const std::string& pod_uid) {
  std::lock_guard lock(mutex_);
  pods_.erase(pod_uid);
  return Ok{};
}

Result<ContainerStatus> FakeDriver::start_container(const std::string& pod_uid,
                                                    const ContainerSpec& spec, int attempt) {
  std::lock_guard lock(mutex_);
  auto it = pods_.find(pod_uid);
  if (it == pods_.end()) return Error{driver_error::no_sandbox, "no sandbox for pod " + pod_uid};
  auto& attempts = it->second.containers[spec.name];
  if (auto known = attempts.find(attempt); known != attempts.end()) return known->second.status;
  if (missing_images_.count(spec.image))
    return Error{driver_error::image_not_found, "image \"" + spec.image + "\" is not in the store"};
  if (auto f = start_failures_.find({pod_uid, spec.name}); f != start_failures_.end())
    return f->second;
  std::vector<std::string> argv = command_line(spec);
  std::string verb = argv.empty() ? "" : argv[0];
  if (verb == "crash")
    return Error{driver_error::start_failed, "exec of \"crash\" failed (fake driver)"};
  std::int64_t now = now_();
  Attempt a;
  a.status.pod_uid = pod_uid;
  a.status.name = spec.name;
  a.status.attempt = attempt;
  a.status.container_id =
      "craton://fake-" + pod_uid + "-" + spec.name + "-" + std::to_string(attempt);
  a.status.image_id = "sha256:fake-" + spec.image;
  a.status.started_at_ms = now;
  a.ignores_sigterm = verb == "hang";
  if (verb == "sleep" && sleep_ms(argv) >= 0) a.exits_at_ms = now + sleep_ms(argv);
  if (verb == "exit") end(a, static_cast<int>(std::max(0LL, number(argv, 1))), "", now);
  ++starts_;
  attempts[attempt] = a;
  return a.status;
}

FakeDriver::Attempt* FakeDriver::newest(const std::string& pod_uid, const std::string& name) {
  auto it = pods_.find(pod_uid);
  if (it == pods_.end()) return nullptr;
  advance(it->second);
  auto c = it->second.containers.find(name);
  if (c == it->second.containers.end() || c->second.empty()) return nullptr;
  return &c->second.rbegin()->second;
}

Status FakeDriver::signal_container(const std::string& pod_uid, const std::string& name,
                                    int signal) {
  std::lock_guard lock(mutex_);
  Attempt* a = newest(pod_uid, name);
  if (a == nullptr) return Error{driver_error::no_container, "no container " + name};
  signal_log_.push_back(pod_uid + "/" + name + ": " + std::to_string(signal));
  if (a->status.state != ContainerState::running) return Ok{};
  if (signal == SIGKILL || (signal == SIGTERM && !a->ignores_sigterm))
    end(*a, 128 + signal, "Error", now_());
  return Ok{};
}

Status FakeDriver::remove_container(const std::string& pod_uid, const std::string& name,
                                    int attempt) {
  std::lock_guard lock(mutex_);
  auto it = pods_.find(pod_uid);
  if (it == pods_.end()) return Ok{};
  auto c = it->second.containers.find(name);
  if (c != it->second.containers.end()) c->second.erase(attempt);
  return Ok{};
}

std::vector<PodRecord> FakeDriver::list() {
  std::lock_guard lock(mutex_);
  std::vector<PodRecord> out;
  for (auto& [uid, pod] : pods_) {
    advance(pod);
    PodRecord r{pod.status, pod.spec.pod_namespace, pod.spec.pod_name, {}};
    for (const auto& [name, attempts] : pod.containers)
      for (const auto& [n, a] : attempts) r.containers.push_back(a.status);
    out.push_back(std::move(r));
  }
  return out;
}

Result<ExecResult> FakeDriver::exec(const std::string& pod_uid, const std::string& name,
                                    const std::vector<std::string>& argv, std::int64_t) {
  std::lock_guard lock(mutex_);
  Attempt* a = newest(pod_uid, name);
  if (a == nullptr || a->status.state != ContainerState::running)
    return Error{driver_error::no_container, "container " + name + " is not running"};
  exec_log_.push_back(pod_uid + "/" + name + ": " + joined(argv));
  auto code = exec_exit_codes_.find({pod_uid, name});
  return ExecResult{code == exec_exit_codes_.end() ? 0 : code->second, ""};
}

FakeDriver::Pod* FakeDriver::pod_by_ip(const std::string& ip) {
  for (auto& [uid, pod] : pods_)
    if (pod.status.pod_ip == ip) return &pod;
  return nullptr;
}

ProbeOutcome FakeDriver::probe_http(const HttpProbe& probe) {
  return probe_tcp(TcpProbe{probe.host, probe.port, probe.timeout_ms});
}

ProbeOutcome FakeDriver::probe_tcp(const TcpProbe& probe) {
  std::lock_guard lock(mutex_);
  Pod* pod = pod_by_ip(probe.host);
  if (pod == nullptr) return ProbeOutcome::failure;
  auto scripted = ports_.find({pod->spec.pod_uid, probe.port});
  if (scripted != ports_.end()) return scripted->second;
  advance(*pod);
  for (const auto& [name, attempts] : pod->containers)
    if (!attempts.empty() && attempts.rbegin()->second.status.state == ContainerState::running)
      return ProbeOutcome::success;
  return ProbeOutcome::failure;
}

Result<LogChunk> FakeDriver::read_log(const std::string& pod_uid, const std::string& name,
                                      const LogQuery& query) {
  std::lock_guard lock(mutex_);
  Attempt* a = newest(pod_uid, name);
  if (a != nullptr && query.attempt >= 0) {
    auto& attempts = pods_.at(pod_uid).containers.at(name);
    auto it = attempts.find(query.attempt);
    a = it == attempts.end() ? nullptr : &it->second;
  }
  if (a == nullptr) return Error{driver_error::no_container, "no container " + name};
  return LogChunk{"", 0, a->status.state == ContainerState::exited};  // fakes write no logs
}

void FakeDriver::script_exec_exit_code(const std::string& pod_uid, const std::string& container,
                                       int exit_code) {
  std::lock_guard lock(mutex_);
  exec_exit_codes_[{pod_uid, container}] = exit_code;
}

void FakeDriver::script_port(const std::string& pod_uid, int port, ProbeOutcome outcome) {
  std::lock_guard lock(mutex_);
  ports_[{pod_uid, port}] = outcome;
}

void FakeDriver::script_start_failure(const std::string& pod_uid, const std::string& container,
                                      Error error) {
  std::lock_guard lock(mutex_);
  if (error.code.empty())
    start_failures_.erase({pod_uid, container});
  else
    start_failures_[{pod_uid, container}] = std::move(error);
}

void FakeDriver::script_image_missing(const std::string& image, bool missing) {
  std::lock_guard lock(mutex_);
  if (missing)
    missing_images_.insert(image);
  else
    missing_images_.erase(image);
}

void FakeDriver::script_exit(const std::string& pod_uid, const std::string& container,
                             int exit_code, std::string reason) {
  std::lock_guard lock(mutex_);
  Attempt* a = newest(pod_uid, container);
  if (a != nullptr && a->status.state == ContainerState::running)
    end(*a, exit_code, std::move(reason), now_());
}

std::vector<std::string> FakeDriver::exec_log() const {
  std::lock_guard lock(mutex_);
  return exec_log_;
}

std::vector<std::string> FakeDriver::signal_log() const {
  std::lock_guard lock(mutex_);
  return signal_log_;
}

int FakeDriver::starts() const {
  std::lock_guard lock(mutex_);
  return starts_;
}

}  // namespace craton::agent
