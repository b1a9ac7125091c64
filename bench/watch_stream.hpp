// WatchStream: one Kubernetes watch (`GET ...?watch=1`) on a loopback API, read on a thread of
// its own; every newline-terminated JSON event line reaches `on_line` on that thread. Closing
// (the destructor) shuts the socket down so the blocked read returns. Benchmark code only.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace craton::bench {

class WatchStream {
 public:
  /// Connects and sends GET `target`; throws std::runtime_error when the server does not answer
  /// 200 with a stream.
  WatchStream(std::uint16_t port, const std::string& target,
              std::function<void(const std::string&)> on_line);
  ~WatchStream();
  WatchStream(const WatchStream&) = delete;
  WatchStream& operator=(const WatchStream&) = delete;

  /// False once the server ended the stream or the connection broke.
  bool open() const { return open_; }

 private:
  std::atomic<int> socket_{-1};
  std::atomic<bool> open_{true};
  std::thread reader_;
};

}  // namespace craton::bench
