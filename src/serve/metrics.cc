#include <fmt/format.h>

#include <cmath>

#include "serve/serve.h"

namespace tessera::serve {
namespace {

// Prometheus label values escape backslash, double quote and line feed.
std::string LabelValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string Number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

}  // namespace

const std::vector<double>& Metrics::LatencyBuckets() {
  static const std::vector<double> buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                              0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return buckets;
}

void Metrics::ObserveRequest(std::string_view route_id, int status, double seconds) {
  const auto& bounds = LatencyBuckets();
  std::lock_guard lock(mu_);
  ++requests_[{std::string(route_id), status}];
  Histogram& h = latency_[std::string(route_id)];
  if (h.buckets.empty()) h.buckets.assign(bounds.size(), 0);
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (seconds <= bounds[i]) {
      ++h.buckets[i];
      break;
    }
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::AddCounter(std::string_view name, std::string_view help, double amount) {
  std::lock_guard lock(mu_);
  Value& v = values_[std::string(name)];
  v.help = help;
  v.counter = true;
  v.value += amount;
}

void Metrics::SetGauge(std::string_view name, std::string_view help, double value) {
  std::lock_guard lock(mu_);
  Value& v = values_[std::string(name)];
  v.help = help;
  v.counter = false;
  v.value = value;
}

double Metrics::Counter(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(std::string(name));
  return it == values_.end() ? 0 : it->second.value;
}

int64_t Metrics::Requests(std::string_view route_id, int status) const {
  std::lock_guard lock(mu_);
  auto it = requests_.find({std::string(route_id), status});
  return it == requests_.end() ? 0 : it->second;
}

std::string Metrics::RenderPrometheus() const {
  const auto& bounds = LatencyBuckets();
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP tessera_http_requests_total HTTP requests answered, by route id and status.\n";
  out += "# TYPE tessera_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    out += fmt::format("tessera_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                       LabelValue(key.first), key.second, count);
  }
  out +=
      "# HELP tessera_http_request_duration_seconds Time from a request's last byte read to "
      "its response written, by route id.\n";
  out += "# TYPE tessera_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    const std::string label = LabelValue(route);
    int64_t cumulative = 0;
    for (size_t i = 0; i < bounds.size(); ++i) {
      cumulative += h.buckets[i];
      out +=
          fmt::format("tessera_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                      label, Number(bounds[i]), cumulative);
    }
    out +=
        fmt::format("tessera_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n",
                    label, h.count);
    out += fmt::format("tessera_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label,
                       Number(h.sum));
    out += fmt::format("tessera_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label,
                       h.count);
  }
  for (const auto& [name, v] : values_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, v.help, name,
                       v.counter ? "counter" : "gauge", name, Number(v.value));
  }
  return out;
}

}  // namespace tessera::serve
