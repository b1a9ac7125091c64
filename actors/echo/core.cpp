#include "actors/echo/core.hpp"

namespace craton::echo {

std::optional<std::vector<std::uint8_t>> answer_ping(const DecodedEnvelope& ping) {
  auto root = ping.root();
  if (!root.getBody().isPing()) return std::nullopt;
  auto in = root.getBody().getPing();
  EnvelopeBuilder reply(ping.to(), ping.from(), root.getCorrelationId());
  auto out = reply.body().initPong();
  out.setSeq(in.getSeq());
  out.setPayload(in.getPayload());
  return reply.encode();
}

PingerCore::PingerCore(PingerConfig config) : config_(std::move(config)) {}

std::vector<std::vector<std::uint8_t>> PingerCore::tick(std::int64_t now_ms) {
  std::vector<std::vector<std::uint8_t>> out;
  std::vector<std::uint8_t> payload(config_.payload_bytes, 0x5a);
  for (const auto& peer : config_.peers) {
    auto seq = next_seq_++;
    EnvelopeBuilder ping(config_.self, Address{peer, "echo"}, seq);
    auto body = ping.body().initPing();
    body.setSeq(seq);
    body.setPayload(kj::arrayPtr(payload.data(), payload.size()));
    out.push_back(ping.encode());
    outstanding_.emplace(seq, Outstanding{peer, now_ms});
    while (outstanding_.size() > config_.outstanding_max) outstanding_.erase(outstanding_.begin());
  }
  return out;
}

std::optional<PongSeen> PingerCore::on_pong(const DecodedEnvelope& pong, std::int64_t now_ms) {
  auto root = pong.root();
  if (!root.getBody().isPong()) return std::nullopt;
  auto it = outstanding_.find(root.getBody().getPong().getSeq());
  if (it == outstanding_.end() || it->second.peer != pong.from().node) return std::nullopt;
  PongSeen seen{it->second.peer, it->first, now_ms - it->second.sent_ms};
  outstanding_.erase(it);
  ++pongs_[seen.peer];
  return seen;
}

std::uint64_t PingerCore::pongs_from(const std::string& peer) const {
  auto it = pongs_.find(peer);
  return it == pongs_.end() ? 0 : it->second;
}

}  // namespace craton::echo
