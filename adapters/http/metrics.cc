#include "http/metrics.h"

#include <charconv>
#include <cmath>
#include <string_view>
#include <tuple>

namespace disclose::http {

namespace {

// Prometheus accepts Go's float syntax; the shortest round-trip form keeps bucket bounds readable
// ("0.0025", not "0.0025000000000000001").
std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buffer[512];
  // Plain decimals for the usual magnitudes ("0.0005", not "5e-04"); exponents only where a
  // decimal would be unreadably long.
  const double magnitude = std::fabs(v);
  const bool plain = magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e15);
  auto [end, ec] = plain
                       ? std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed)
                       : std::to_chars(buffer, buffer + sizeof buffer, v);
  if (ec != std::errc()) return "NaN";
  return std::string(buffer, end);
}

// Label values may carry anything a route or client sent; the text format only needs these three
// escaped for the line to stay parseable.
std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string_view metric_name(std::string_view series) {
  auto brace = series.find('{');
  std::string_view name = brace == std::string_view::npos ? series : series.substr(0, brace);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  return name;
}

}  // namespace

void Metrics::record(const std::string& route, const std::string& method, int status,
                     double seconds) {
  if (!(seconds >= 0)) seconds = 0;  // NaN or a clock step backwards must not poison _sum
  std::lock_guard lock(mutex_);
  ++requests_[std::make_tuple(route, method, status)];
  Latency& latency = latency_[route];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++latency.buckets[i];
      break;
    }
  }
  ++latency.count;
  latency.sum += seconds;
}

void Metrics::connection_opened() {
  std::lock_guard lock(mutex_);
  ++open_connections_;
}

void Metrics::connection_closed() {
  std::lock_guard lock(mutex_);
  --open_connections_;
}

void Metrics::connection_rejected() {
  std::lock_guard lock(mutex_);
  ++rejected_connections_;
}

std::string Metrics::render(const std::vector<std::pair<std::string, double>>& gauges) const {
  std::string out;
  {
    std::lock_guard lock(mutex_);

    out +=
        "# HELP disclose_http_requests_total HTTP requests answered, by route, method and "
        "status.\n";
    out += "# TYPE disclose_http_requests_total counter\n";
    for (const auto& [key, count] : requests_) {
      const auto& [route, method, status] = key;
      out += "disclose_http_requests_total{route=\"" + escape_label(route) + "\",method=\"" +
             escape_label(method) + "\",status=\"" + std::to_string(status) + "\"} " +
             std::to_string(count) + "\n";
    }

    out +=
        "# HELP disclose_http_request_duration_seconds Time from a request's first byte to its "
        "response being written.\n";
    out += "# TYPE disclose_http_request_duration_seconds histogram\n";
    for (const auto& [route, latency] : latency_) {
      const std::string label = "route=\"" + escape_label(route) + "\"";
      uint64_t cumulative = 0;
      for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        cumulative += latency.buckets[i];
        out += "disclose_http_request_duration_seconds_bucket{" + label + ",le=\"" +
               number(kBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
      }
      out += "disclose_http_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " +
             std::to_string(latency.count) + "\n";
      out +=
          "disclose_http_request_duration_seconds_sum{" + label + "} " + number(latency.sum) + "\n";
      out += "disclose_http_request_duration_seconds_count{" + label + "} " +
             std::to_string(latency.count) + "\n";
    }

    out += "# HELP disclose_http_connections_open HTTP connections being served.\n";
    out += "# TYPE disclose_http_connections_open gauge\n";
    out += "disclose_http_connections_open " + std::to_string(open_connections_) + "\n";
    out +=
        "# HELP disclose_http_connections_rejected_total Connections closed at once because the "
        "connection cap was reached.\n";
    out += "# TYPE disclose_http_connections_rejected_total counter\n";
    out +=
        "disclose_http_connections_rejected_total " + std::to_string(rejected_connections_) + "\n";
  }

  // The text format wants every line of a family together under one TYPE line, so series that
  // arrive interleaved are grouped by name, in order of first appearance.
  std::vector<std::string_view> names;
  for (const auto& [series, value] : gauges) {
    std::string_view name = metric_name(series);
    bool seen = false;
    for (auto n : names) seen = seen || n == name;
    if (!seen) names.push_back(name);
  }
  for (std::string_view name : names) {
    // By the Prometheus naming convention a name ending in _total is a counter.
    bool counter = name.size() > 6 && name.substr(name.size() - 6) == "_total";
    out += "# TYPE ";
    out += name;
    out += counter ? " counter\n" : " gauge\n";
    for (const auto& [series, value] : gauges) {
      if (metric_name(series) != name) continue;
      out += series + " " + number(value) + "\n";
    }
  }
  return out;
}

}  // namespace disclose::http
