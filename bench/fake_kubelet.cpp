// FakeKubelet: pods marked Running and Ready as they appear.
#include "bench/fake_kubelet.hpp"

#include <nlohmann/json.hpp>

#include "bench/http_client.hpp"
#include "bench/watch_stream.hpp"

namespace craton::bench {

namespace http = boost::beast::http;
using json = nlohmann::json;

FakeKubelet::FakeKubelet(std::uint16_t port, std::string name_space, std::size_t writers)
    : namespace_(std::move(name_space)) {
  for (std::size_t i = 0; i < writers; ++i)
    writers_.emplace_back([this, port] { write_statuses(port); });
  try {
    watch_ = std::make_unique<WatchStream>(
        port, "/api/v1/namespaces/" + namespace_ + "/pods?watch=1&resourceVersion=0",
        [this](const std::string& line) { on_event(line); });
  } catch (...) {
    stop();  // the writers are running: join them before unwinding
    throw;
  }
}

FakeKubelet::~FakeKubelet() {
  stop();
}

void FakeKubelet::stop() {
  watch_.reset();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : writers_)
    if (t.joinable()) t.join();
}

void FakeKubelet::on_event(const std::string& line) {
  auto event = json::parse(line, nullptr, false);
  if (!event.is_object() || !event.contains("object") || !event["object"].is_object()) return;
  auto type = event.value("type", "");
  if (type != "ADDED" && type != "MODIFIED") return;
  const auto& pod = event["object"];
  if (!pod.contains("metadata") || !pod["metadata"].is_object()) return;
  const auto& meta = pod["metadata"];
  if (meta.contains("deletionTimestamp")) return;
  if (pod.contains("status") && pod["status"].is_object() &&
      pod["status"].value("phase", "") == "Running")
    return;
  std::lock_guard lock(mutex_);
  if (!seen_.insert(meta.value("uid", "")).second) return;
  queue_.push_back(meta.value("name", ""));
  wake_.notify_one();
}

void FakeKubelet::write_statuses(std::uint16_t port) {
  std::unique_ptr<HttpClient> client;
  for (std::uint64_t n = 0;; ++n) {
    std::string name;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      name = std::move(queue_.front());
      queue_.pop_front();
    }
    auto ip = "10." + std::to_string(64 + (n >> 16) % 64) + "." + std::to_string((n >> 8) % 256) +
              "." + std::to_string(n % 256);
    json patch = {{"status",
                   {{"phase", "Running"},
                    {"podIP", ip},
                    {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
    int code = -1;
    for (int attempt = 0; attempt < 3 && code < 0; ++attempt) {
      try {
        if (!client) client = std::make_unique<HttpClient>(port);
      } catch (const std::exception&) {  // refused: the next attempt connects again
        continue;
      }
      code = client->call(http::verb::patch,
                          "/api/v1/namespaces/" + namespace_ + "/pods/" + name + "/status",
                          patch.dump(), "application/merge-patch+json");
      if (code < 0) client.reset();  // a broken connection: a new one
    }
    if (code == 200)
      ++marked_;
    else if (code != 404)  // deleted meanwhile: nothing to mark
      ++failed_;
  }
}

}  // namespace craton::bench
