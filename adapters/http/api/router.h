// Matches "METHOD /path" against patterns with {named} segments. A path that matches some
// pattern under another method is a 405, not a 404. A route carries traits the server acts on
// before it calls the route's function: whether its handler answers later, without holding a
// thread while it waits (Answers::later), and whether it must run with no other request in
// flight (Runs::alone).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace disclose::http {

using PathParams = std::map<std::string, std::string>;

enum class Answers { at_once, later };
enum class Runs { beside_others, alone };

struct RouteTraits {
  Answers answers = Answers::at_once;
  Runs runs = Runs::beside_others;
};

template <class Fn>
class Router {
 public:
  void add(std::string method, std::string pattern, Fn fn, RouteTraits traits = {}) {
    routes_.push_back({std::move(method), pattern, split(pattern), std::move(fn), traits});
  }

  struct Match {
    const Fn* fn = nullptr;  // null: no route for this method
    RouteTraits traits;
    std::string pattern;  // the matched pattern ("" when none)
    PathParams params;
    std::vector<std::string> allowed;  // methods the path does accept (for 405)
  };

  // `path` is already percent-decoded segment by segment.
  Match match(const std::string& method, const std::vector<std::string>& segments) const {
    Match out;
    for (const auto& route : routes_) {
      PathParams params;
      if (!matches(route.segments, segments, params)) continue;
      if (route.method == method) {
        out.fn = &route.fn;
        out.traits = route.traits;
        out.pattern = route.pattern;
        out.params = std::move(params);
        return out;
      }
      out.allowed.push_back(route.method);
      out.pattern = route.pattern;
    }
    return out;
  }

  std::vector<std::pair<std::string, std::string>> list() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& r : routes_) out.emplace_back(r.method, r.pattern);
    return out;
  }

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Fn fn;
    RouteTraits traits;
  };

  static std::vector<std::string> split(const std::string& pattern) {
    std::vector<std::string> parts;
    size_t i = 0;
    while (i < pattern.size()) {
      if (pattern[i] == '/') {
        ++i;
        continue;
      }
      size_t j = pattern.find('/', i);
      if (j == std::string::npos) j = pattern.size();
      parts.push_back(pattern.substr(i, j - i));
      i = j;
    }
    return parts;
  }

  static bool matches(const std::vector<std::string>& pattern,
                      const std::vector<std::string>& segments, PathParams& params) {
    if (pattern.size() != segments.size()) return false;
    for (size_t i = 0; i < pattern.size(); ++i) {
      const std::string& p = pattern[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        if (segments[i].empty()) return false;
        params[p.substr(1, p.size() - 2)] = segments[i];
      } else if (p != segments[i]) {
        return false;
      }
    }
    return true;
  }

  std::vector<Route> routes_;
};

}  // namespace disclose::http
