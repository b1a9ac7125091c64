// The planned schema walk (runtime/schema_walk.hpp) against the reflective DynamicStruct walk
// it replaced, used here as the oracle: on randomly corrupted envelopes with nested structs,
// struct lists, scalar lists, Text and Data, both must accept and reject the same inputs.
#define BOOST_TEST_MODULE runtime_schema_walk
#include <boost/test/unit_test.hpp>

#include <capnp/dynamic.h>
#include <capnp/serialize.h>

#include "runtime/envelope_codec.hpp"
#include "runtime/rng.hpp"
#include "runtime/schema_walk.hpp"
#include "schemas/store.capnp.h"

using namespace craton;

namespace {

void read_deep(capnp::DynamicValue::Reader value);

void read_struct(capnp::DynamicStruct::Reader s) {
  auto visit = [&](capnp::StructSchema::Field field) {
    if (s.has(field)) read_deep(s.get(field));
  };
  for (auto field : s.getSchema().getNonUnionFields()) visit(field);
  KJ_IF_MAYBE (active, s.which()) {
    visit(*active);
  }
}

void read_deep(capnp::DynamicValue::Reader value) {
  switch (value.getType()) {
    case capnp::DynamicValue::STRUCT:
      read_struct(value.as<capnp::DynamicStruct>());
      break;
    case capnp::DynamicValue::LIST:
      for (auto element : value.as<capnp::DynamicList>()) read_deep(element);
      break;
    case capnp::DynamicValue::TEXT:
      (void)value.as<capnp::Text>();
      break;
    case capnp::DynamicValue::DATA:
      (void)value.as<capnp::Data>();
      break;
    default:
      break;
  }
}

template <class F>
bool accepts(F&& f) {
  try {
    f();
    return true;
  } catch (const kj::Exception&) {
    return false;
  }
}

std::vector<std::uint8_t> raft_append() {
  EnvelopeBuilder b(Address{"n1", "store"}, Address{"n2", "store"}, 9);
  auto m = b.body().initStoreRaft();
  m.setTerm(3);
  auto entries = m.initEntries(3);
  for (unsigned i = 0; i < 3; ++i) {
    entries[i].setIndex(i + 1);
    entries[i].initData(5 + i);
  }
  m.setContext(capnp::Data::Reader(reinterpret_cast<const capnp::byte*>("ctx"), 3));
  auto snap = m.initSnapshot();
  snap.initVoters(3);
  snap.initLearners(1);
  snap.initData(16);
  return b.encode();
}

std::vector<std::uint8_t> peer_status() {
  EnvelopeBuilder b(Address{"n1", "router"}, Address{"n1", "detector"});
  auto s = b.body().initPeerStatus();
  s.setNode("n7");
  s.setUp(true);
  return b.encode();
}

}  // namespace

BOOST_AUTO_TEST_CASE(planned_walk_agrees_with_reflection_on_corrupted_input) {
  Rng rng(99);
  int rejected = 0;
  for (auto make : {raft_append, peer_status}) {
    auto valid = make();
    for (int i = 0; i < 20000; ++i) {
      auto input = valid;
      for (int f = 0, n = static_cast<int>(rng.uniform(1, 3)); f < n; ++f)
        input[rng.uniform(0, input.size() - 1)] ^=
            static_cast<std::uint8_t>(1u << rng.uniform(0, 7));
      auto opened = open_envelope(input);  // pointers in bounds; kinds unchecked
      if (!opened.ok()) continue;
      auto root = opened->root();
      bool planned = accepts([&] {
        walk_by_schema(capnp::Schema::from<schema::Envelope>(), capnp::AnyStruct::Reader(root));
      });
      bool reflective = accepts([&] { read_struct(capnp::DynamicStruct::Reader(root)); });
      BOOST_REQUIRE_MESSAGE(planned == reflective, "disagree on input "
                                                       << i << ": planned " << planned
                                                       << ", reflective " << reflective);
      if (!planned) ++rejected;
    }
  }
  BOOST_TEST(rejected > 100);  // the corruptions do hit pointer kinds
}

BOOST_AUTO_TEST_CASE(valid_envelopes_pass_the_walk) {
  for (auto bytes : {raft_append(), peer_status()}) {
    auto d = decode_envelope(bytes);
    BOOST_TEST(d.ok());
  }
}
