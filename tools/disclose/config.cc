#include "disclose/config.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <set>

namespace disclose::cli {
namespace {

std::string where(const std::string& file, const YAML::Node& node) {
  return file + ":" + std::to_string(node.Mark().line + 1);
}

void known_keys(const std::string& file, const YAML::Node& map, const std::set<std::string>& keys) {
  if (!map.IsMap()) throw ConfigError(where(file, map) + ": expected a mapping");
  for (const auto& item : map) {
    if (!item.first.IsScalar())
      throw ConfigError(where(file, item.first) + ": a key must be a plain name");
    std::string key = item.first.as<std::string>();
    if (!keys.count(key))
      throw ConfigError(where(file, item.first) + ": unknown key '" + key + "'");
  }
}

std::string text(const std::string& file, const YAML::Node& node) {
  if (!node.IsScalar()) throw ConfigError(where(file, node) + ": expected a string");
  return node.as<std::string>();
}

long long number(const std::string& file, const YAML::Node& node, long long min, long long max) {
  std::string s = text(file, node);
  long long n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || ptr != s.data() + s.size() || n < min || n > max)
    throw ConfigError(where(file, node) + ": expected a whole number from " + std::to_string(min) +
                      " to " + std::to_string(max));
  return n;
}

}  // namespace

void apply_listen(const std::string& listen, http::ServerOptions& server, const std::string& at) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
    throw ConfigError(at + ": expected ADDR:PORT, e.g. 127.0.0.1:8080");
  std::string address = listen.substr(0, colon);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']')
    address = address.substr(1, address.size() - 2);
  std::string port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535)
    throw ConfigError(at + ": bad port '" + port_text + "'");
  server.address = address;
  server.port = static_cast<uint16_t>(port);
}

int parse_utc_offset(const std::string& value, const std::string& at) {
  if (value == "Asia/Shanghai" || value == "Asia/Chongqing" || value == "PRC") return 8 * 60;
  if (value == "UTC" || value == "Z") return 0;
  if (value.size() == 6 && (value[0] == '+' || value[0] == '-') && value[3] == ':') {
    int h = 0, m = 0;
    auto r1 = std::from_chars(value.data() + 1, value.data() + 3, h);
    auto r2 = std::from_chars(value.data() + 4, value.data() + 6, m);
    if (r1.ec == std::errc() && r2.ec == std::errc() && h <= 14 && m < 60)
      return (value[0] == '-' ? -1 : 1) * (h * 60 + m);
  }
  throw ConfigError(at + ": expected a UTC offset like +08:00 (or Asia/Shanghai), got '" + value +
                    "'");
}

ServeConfig load_serve_config(const std::string& file, ServeConfig config) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    throw ConfigError(file + ": cannot read the file");
  } catch (const YAML::Exception& e) {
    throw ConfigError(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (root.IsNull()) return config;
  known_keys(file, root,
             {"listen", "db", "workflows", "time_zone", "log", "tls", "limits", "timeouts",
              "sqlite", "public_url", "timers", "idempotency", "notifications"});
  if (auto n = root["listen"]) apply_listen(text(file, n), config.server, where(file, n));
  if (auto n = root["db"]) config.db = text(file, n);
  if (auto n = root["workflows"]) config.workflows = text(file, n);
  if (auto n = root["time_zone"])
    config.utc_offset_minutes = parse_utc_offset(text(file, n), where(file, n));
  if (auto log = root["log"]) {
    known_keys(file, log, {"format", "level"});
    if (auto n = log["format"]) {
      std::string f = text(file, n);
      if (f != "text" && f != "json") throw ConfigError(where(file, n) + ": text or json");
      config.server.json_log = f == "json";
    }
    if (auto n = log["level"]) {
      std::string l = text(file, n);
      static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error"};
      if (!levels.count(l)) throw ConfigError(where(file, n) + ": trace|debug|info|warn|error");
      config.log_level = l;
    }
  }
  if (auto tls = root["tls"]) {
    known_keys(file, tls, {"certificate", "private_key"});
    if (auto n = tls["certificate"]) config.server.tls_certificate = text(file, n);
    if (auto n = tls["private_key"]) config.server.tls_private_key = text(file, n);
    if (config.server.tls_certificate.empty() != config.server.tls_private_key.empty())
      throw ConfigError(where(file, tls) + ": give both certificate and private_key");
  }
  if (auto limits = root["limits"]) {
    known_keys(file, limits,
               {"body_bytes", "header_bytes", "max_connections", "handler_threads", "io_threads"});
    if (auto n = limits["body_bytes"]) config.server.body_limit = number(file, n, 1024, 1LL << 30);
    if (auto n = limits["header_bytes"])
      config.server.header_limit = number(file, n, 1024, 1 << 20);
    if (auto n = limits["max_connections"])
      config.server.max_connections = number(file, n, 1, 1'000'000);
    if (auto n = limits["handler_threads"]) config.server.handler_threads = number(file, n, 0, 256);
    if (auto n = limits["io_threads"]) config.server.io_threads = number(file, n, 1, 64);
  }
  if (auto timeouts = root["timeouts"]) {
    known_keys(file, timeouts, {"header_ms", "body_ms", "idle_ms"});
    if (auto n = timeouts["header_ms"])
      config.server.header_timeout = std::chrono::milliseconds(number(file, n, 10, 3'600'000));
    if (auto n = timeouts["body_ms"])
      config.server.body_timeout = std::chrono::milliseconds(number(file, n, 10, 3'600'000));
    if (auto n = timeouts["idle_ms"])
      config.server.idle_timeout = std::chrono::milliseconds(number(file, n, 10, 3'600'000));
  }
  if (auto sqlite = root["sqlite"]) {
    known_keys(file, sqlite, {"synchronous"});
    if (auto n = sqlite["synchronous"]) {
      std::string s = text(file, n);
      if (s != "FULL" && s != "NORMAL") throw ConfigError(where(file, n) + ": FULL or NORMAL");
      config.sqlite_synchronous = s;
    }
  }
  if (auto n = root["public_url"]) {
    std::string url = text(file, n);
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
      throw ConfigError(where(file, n) + ": an absolute http:// or https:// URL");
    config.public_url = url;
  }
  auto flag = [&](const YAML::Node& n) {
    std::string v = text(file, n);
    if (v != "true" && v != "false") throw ConfigError(where(file, n) + ": true or false");
    return v == "true";
  };
  if (auto timers = root["timers"]) {
    known_keys(file, timers, {"enabled", "sweep_seconds"});
    if (auto n = timers["enabled"]) config.timers.enabled = flag(n);
    if (auto n = timers["sweep_seconds"])
      config.timers.sweep_seconds = static_cast<int>(number(file, n, 1, 3600));
  }
  if (auto idempotency = root["idempotency"]) {
    known_keys(file, idempotency, {"retention_hours"});
    if (auto n = idempotency["retention_hours"])
      config.idempotency_retention_hours = static_cast<int>(number(file, n, 0, 24 * 365));
  }
  if (auto notify = root["notifications"]) {
    known_keys(file, notify,
               {"enabled", "max_in_flight", "max_in_flight_per_subscription", "timeout_seconds",
                "lease_seconds", "retry_base_seconds", "retry_cap_seconds", "give_up_hours"});
    auto& c = config.notifications;
    if (auto n = notify["enabled"]) c.enabled = flag(n);
    if (auto n = notify["max_in_flight"])
      c.max_in_flight = static_cast<int>(number(file, n, 1, 10000));
    if (auto n = notify["max_in_flight_per_subscription"])
      c.max_in_flight_per_subscription = static_cast<int>(number(file, n, 1, 1000));
    if (auto n = notify["timeout_seconds"])
      c.timeout_seconds = static_cast<int>(number(file, n, 1, 300));
    if (auto n = notify["lease_seconds"])
      c.lease_seconds = static_cast<int>(number(file, n, 2, 86400));
    if (c.lease_seconds < 2 * c.timeout_seconds)
      throw ConfigError(where(file, notify) +
                        ": lease_seconds must be at least twice timeout_seconds (a request still "
                        "running must not be sent again)");
    if (auto n = notify["retry_base_seconds"])
      c.retry_base_seconds = static_cast<int>(number(file, n, 0, 3600));
    if (auto n = notify["retry_cap_seconds"])
      c.retry_cap_seconds = static_cast<int>(number(file, n, 1, 7 * 86400));
    if (auto n = notify["give_up_hours"])
      c.give_up_hours = static_cast<int>(number(file, n, 1, 24 * 30));
  }
  return config;
}

}  // namespace disclose::cli
