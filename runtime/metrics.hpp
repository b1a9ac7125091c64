// Metrics: the process's counters, gauges and histograms, rendered in Prometheus text format.
// A thin owner of a prometheus-cpp registry so that every component registers the same way:
// ask for a counter by name, help and labels once (at spawn), keep the reference, increment.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

namespace craton {

class Metrics {
 public:
  Metrics() : registry_(std::make_shared<prometheus::Registry>()) {}

  /// The counter `name{labels}`; the same arguments always give the same counter.
  prometheus::Counter& counter(const std::string& name, const std::string& help,
                               const prometheus::Labels& labels = {});
  prometheus::Gauge& gauge(const std::string& name, const std::string& help,
                           const prometheus::Labels& labels = {});
  /// The histogram `name{labels}` with upper bounds `buckets` (seconds, ascending).
  prometheus::Histogram& histogram(const std::string& name, const std::string& help,
                                   const prometheus::Histogram::BucketBoundaries& buckets,
                                   const prometheus::Labels& labels = {});

  /// Current value of a counter, 0 if it was never created (tests, reports).
  double counter_value(const std::string& name, const prometheus::Labels& labels = {});

  /// Everything in Prometheus text exposition format.
  std::string text() const;

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
};

}  // namespace craton
