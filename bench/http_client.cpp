// HttpClient: a blocking keep-alive HTTP connection for benchmark clients.
#include "bench/http_client.hpp"

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
    http::read(stream_, buffer_, parser);
    if (out != nullptr) *out = std::move(parser.get().body());
    return int(parser.get().result_int());
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace craton::bench
