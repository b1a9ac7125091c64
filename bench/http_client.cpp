// HttpClient: a blocking keep-alive HTTP connection for benchmark clients.
#include "bench/http_client.hpp"

#include <boost/asio/read.hpp>

#include <algorithm>

namespace craton::bench {

namespace http = boost::beast::http;

HttpClient::HttpClient(std::uint16_t port) : stream_(io_) {
  stream_.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
}

int HttpClient::call(http::verb verb, const std::string& target, const std::string& body,
                     const std::string& content_type, std::string* out) {
  try {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, content_type);
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    http::write(stream_, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t(1) << 31);
    http::read_header(stream_, buffer_, parser);
    auto length = parser.content_length();
    if (out == nullptr || !length) {
      http::read(stream_, buffer_, parser);
      if (out != nullptr) *out = std::move(parser.get().body());
      return int(parser.get().result_int());
    }
    // A body of known length is read straight into `out`'s storage, in as few receives as
    // the socket allows, as curl reads: a caller that keeps its string between calls reads
    // into memory it already has. Beast's parser (64 KiB at a time, through its buffer) made
    // a 30 MiB LIST take ~115 ms here where curl took ~30 ms from the same server, and a
    // fresh string's page faults cost this VM another ~100 ms: the client's costs, which the
    // LIST figure should not carry.
    out->resize(*length);
    std::size_t have = std::min<std::size_t>(buffer_.size(), *length);
    boost::asio::buffer_copy(boost::asio::buffer(out->data(), have), buffer_.data());
    buffer_.consume(have);
    boost::asio::read(stream_.socket(), boost::asio::buffer(out->data() + have, *length - have));
    return int(parser.get().result_int());
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace craton::bench
