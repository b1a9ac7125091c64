// WatchStream: a watch's event lines read off a chunked HTTP response.
#include "bench/watch_stream.hpp"

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <stdexcept>

namespace craton::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

WatchStream::WatchStream(std::uint16_t port, const std::string& target,
                         std::function<void(const std::string&)> on_line) {
  std::promise<int> answered;  // the response's status, or -1
  auto status = answered.get_future();
  reader_ = std::thread(
      [this, port, target, on_line = std::move(on_line), answered = std::move(answered)]() mutable {
        bool told = false;
        try {
          asio::io_context io;
          beast::tcp_stream stream(io);
          stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
          socket_ = stream.socket().native_handle();
          http::request<http::empty_body> req{http::verb::get, target, 11};
          req.set(http::field::host, "127.0.0.1");
          http::write(stream, req);
          beast::flat_buffer buffer;
          http::response_parser<http::empty_body> parser;
          parser.body_limit(boost::none);
          http::read_header(stream, buffer, parser);
          answered.set_value(int(parser.get().result_int()));
          told = true;
          std::string pending;
          auto on_chunk = [&](std::uint64_t, beast::string_view body, beast::error_code&) {
            pending.append(body.data(), body.size());
            std::size_t start = 0, eol;
            while ((eol = pending.find('\n', start)) != std::string::npos) {
              on_line(pending.substr(start, eol - start));
              start = eol + 1;
            }
            pending.erase(0, start);
            return body.size();
          };
          parser.on_chunk_body(on_chunk);  // by reference: it must outlive the reads
          while (!parser.is_done()) {
            beast::error_code ec;
            http::read_some(stream, buffer, parser, ec);
            if (ec) break;
          }
        } catch (const std::exception&) {
        }
        if (!told) answered.set_value(-1);
        open_ = false;
      });
  if (auto code = status.get(); code != 200) {
    reader_.join();
    throw std::runtime_error("watch " + target + " answered " + std::to_string(code));
  }
}

WatchStream::~WatchStream() {
  if (int fd = socket_; fd >= 0) ::shutdown(fd, SHUT_RDWR);
  reader_.join();
}

}  // namespace craton::bench
