#include "runtime/metrics.hpp"

#include <prometheus/text_serializer.h>

namespace craton {

prometheus::Counter& Metrics::counter(const std::string& name, const std::string& help,
                                      const prometheus::Labels& labels) {
  // BuildCounter().Register returns the existing family when name and help match.
  auto& family = prometheus::BuildCounter().Name(name).Help(help).Register(*registry_);
  return family.Add(labels);
}

prometheus::Gauge& Metrics::gauge(const std::string& name, const std::string& help,
                                  const prometheus::Labels& labels) {
  auto& family = prometheus::BuildGauge().Name(name).Help(help).Register(*registry_);
  return family.Add(labels);
}

prometheus::Histogram& Metrics::histogram(const std::string& name, const std::string& help,
                                          const prometheus::Histogram::BucketBoundaries& buckets,
                                          const prometheus::Labels& labels) {
  auto& family = prometheus::BuildHistogram().Name(name).Help(help).Register(*registry_);
  return family.Add(labels, buckets);
}

double Metrics::counter_value(const std::string& name, const prometheus::Labels& labels) {
  for (const auto& family : registry_->Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      bool match = m.label.size() == labels.size();
      for (const auto& l : m.label) {
        auto it = labels.find(l.name);
        if (it == labels.end() || it->second != l.value) match = false;
      }
      if (match) return m.counter.value;
    }
  }
  return 0;
}

std::string Metrics::text() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace craton
