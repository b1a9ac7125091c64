// FakeKubelet: what the controllers benchmark runs in place of node agents (issue 14 brings the
// real one): it watches the pods of one namespace over HTTP and marks every new pod Running
// and Ready (a pod IP, the Ready condition) through the pods/status subresource, as a kubelet
// reports a started pod. Without it no pod is ever available and a rolling update cannot pass
// maxUnavailable. Each pod (by uid) is marked once; deleted pods are left alone (the API
// removes unbound pods at once). Benchmark code only: blocking threads, loopback HTTP.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace craton::bench {

class WatchStream;

class FakeKubelet {
 public:
  /// Starts watching `name_space`'s pods on the API at 127.0.0.1:`port`, with `writers` threads
  /// patching statuses. Throws std::runtime_error when the watch cannot be opened.
  FakeKubelet(std::uint16_t port, std::string name_space, std::size_t writers);
  ~FakeKubelet();  ///< stops and joins every thread
  FakeKubelet(const FakeKubelet&) = delete;
  FakeKubelet& operator=(const FakeKubelet&) = delete;

  std::uint64_t marked() const { return marked_; }  ///< statuses written (200 answers)
  std::uint64_t failed() const { return failed_; }  ///< status writes refused (not 404)

 private:
  void stop();
  void on_event(const std::string& line);
  void write_statuses(std::uint16_t port);

  std::string namespace_;
  std::unique_ptr<WatchStream> watch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;  // pod names to mark
  std::set<std::string> seen_;     // uids queued once
  bool stopping_ = false;
  std::vector<std::thread> writers_;
  std::atomic<std::uint64_t> marked_{0}, failed_{0};
};

}  // namespace craton::bench
