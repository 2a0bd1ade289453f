// Supervisors' statistics (case_stats.h).
#include "disclose/case_stats.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <sstream>

#include "clocks/deadline_clock.h"

namespace disclose {
namespace json = boost::json;

namespace {

const char* const kReplyClock = "reply";

// Nearest rank: the smallest value v with at least ceil(p·n) cases at or below it.
std::optional<int> percentile(const std::map<int, int64_t>& histogram, int64_t n, int percent) {
  if (n == 0) return std::nullopt;
  int64_t rank = (n * percent + 99) / 100;
  if (rank < 1) rank = 1;
  int64_t seen = 0;
  for (const auto& [days, count] : histogram) {
    seen += count;
    if (seen >= rank) return days;
  }
  return histogram.rbegin()->first;
}

std::string fixed(double value, int digits) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

}  // namespace

std::vector<ResponseBucket> response_buckets() {
  return {
      {"0-5", 0, 5, 0},     {"6-10", 6, 10, 0},   {"11-15", 11, 15, 0},        {"16-20", 16, 20, 0},
      {"21-30", 21, 30, 0}, {"31-40", 31, 40, 0}, {">40", 41, std::nullopt, 0}};
}

std::optional<int> response_working_days(const Engine& engine, const Case& a_case) {
  const Clock* reply = a_case.clock(kReplyClock);
  if (!reply || !reply->ended_on) return std::nullopt;
  if (reply->status != ClockStatus::met && reply->status != ClockStatus::missed)
    return std::nullopt;
  const WorkingCalendar& calendar = engine.calendar();
  int total = calendar.working_days_between(reply->start, *reply->ended_on);
  int paused = paused_working_days(*reply, calendar, *reply->ended_on);
  return std::max(0, total - paused);
}

CaseStatsBuilder::CaseStatsBuilder(const Engine& engine, StatsQuery query, Date today)
    : engine_(engine), query_(std::move(query)), today_(today) {
  stats_.query = query_;
  stats_.today = today;
  stats_.response_buckets = response_buckets();
}

bool CaseStatsBuilder::in_period(Date d) const {
  if (query_.from && d < *query_.from) return false;
  if (query_.to && d > *query_.to) return false;
  return true;
}

void CaseStatsBuilder::add(const Case& c) {
  if (!query_.agency.empty() && c.agency != query_.agency) return;

  if (c.closed_on && in_period(*c.closed_on)) {
    ++stats_.closed;
    const Clock* reply = c.clock(kReplyClock);
    auto days = response_working_days(engine_, c);
    if (!reply || !days) {
      ++stats_.closed_without_reply;
    } else {
      if (reply->status == ClockStatus::met) {
        ++stats_.on_time;
      } else {
        ++stats_.late;
      }
      ++response_days_[*days];
      for (ResponseBucket& b : stats_.response_buckets) {
        if (*days >= b.min_wd && (!b.max_wd || *days <= *b.max_wd)) {
          ++b.cases;
          break;
        }
      }
    }
  }

  if (in_period(c.registration.received_on)) {
    ++stats_.received;
    ++stats_.by_channel[c.registration.channel];
    for (const std::string& tag : c.registration.tags) ++tags_[tag];
  }

  if (!c.closed_on) {
    for (const DeadlineView& v : engine_.deadlines(c, today_)) {
      if (v.overdue) {
        ++stats_.overdue_by_agency[c.agency];
        ++stats_.overdue;
        break;
      }
    }
  }
}

CaseStats CaseStatsBuilder::finish() const {
  CaseStats out = stats_;
  int64_t replied = out.on_time + out.late;
  if (replied > 0) out.on_time_rate = double(out.on_time) / double(replied);
  out.response_median_wd = percentile(response_days_, replied, 50);
  out.response_p90_wd = percentile(response_days_, replied, 90);
  if (replied > 0) {
    int64_t sum = 0;
    for (const auto& [days, count] : response_days_) sum += int64_t{days} * count;
    out.response_mean_wd = double(sum) / double(replied);
  }
  std::vector<std::pair<std::string, int64_t>> tags(tags_.begin(), tags_.end());
  std::stable_sort(tags.begin(), tags.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (query_.top_tags >= 0 && tags.size() > size_t(query_.top_tags)) tags.resize(query_.top_tags);
  out.top_tags = std::move(tags);
  return out;
}

json::object case_stats_json(const CaseStats& s) {
  auto opt_date = [](const std::optional<Date>& d) {
    return d ? json::value(d->str()) : json::value(nullptr);
  };
  json::object period{{"from", opt_date(s.query.from)}, {"to", opt_date(s.query.to)}};
  json::array buckets;
  for (const ResponseBucket& b : s.response_buckets) {
    buckets.push_back(json::object{{"label", b.label},
                                   {"min_wd", b.min_wd},
                                   {"max_wd", b.max_wd ? json::value(*b.max_wd) : nullptr},
                                   {"cases", b.cases}});
  }
  json::object by_channel;
  for (const auto& [channel, n] : s.by_channel) by_channel[channel] = n;
  json::object overdue;
  for (const auto& [agency, n] : s.overdue_by_agency) overdue[agency] = n;
  json::array tags;
  for (const auto& [tag, n] : s.top_tags) tags.push_back(json::object{{"tag", tag}, {"cases", n}});
  auto opt_int = [](const std::optional<int>& v) { return v ? json::value(*v) : nullptr; };
  return json::object{
      {"period", std::move(period)},
      {"agency", s.query.agency.empty() ? json::value(nullptr) : json::value(s.query.agency)},
      {"today", s.today.str()},
      {"on_time", json::object{{"closed", s.closed},
                               {"replied", s.on_time + s.late},
                               {"met", s.on_time},
                               {"missed", s.late},
                               {"closed_without_reply", s.closed_without_reply},
                               {"rate", s.on_time_rate ? json::value(*s.on_time_rate) : nullptr}}},
      {"response_wd",
       json::object{{"buckets", std::move(buckets)},
                    {"median", opt_int(s.response_median_wd)},
                    {"p90", opt_int(s.response_p90_wd)},
                    {"mean", s.response_mean_wd ? json::value(*s.response_mean_wd) : nullptr}}},
      {"received", s.received},
      {"by_channel", std::move(by_channel)},
      {"top_tags", std::move(tags)},
      {"overdue_now", json::object{{"total", s.overdue}, {"by_agency", std::move(overdue)}}}};
}

std::string case_stats_text(const CaseStats& s) {
  std::ostringstream o;
  o << "期间 (period): " << (s.query.from ? s.query.from->str() : "…") << " — "
    << (s.query.to ? s.query.to->str() : "…");
  if (!s.query.agency.empty()) o << "  机关 (agency): " << s.query.agency;
  o << "\n";
  o << "办结 (closed): " << s.closed << "  按期 (met): " << s.on_time
    << "  逾期 (missed): " << s.late
    << "  未答复办结 (closed without reply): " << s.closed_without_reply << "\n";
  o << "按期率 (on-time rate): "
    << (s.on_time_rate ? fixed(*s.on_time_rate * 100.0, 1) + "%" : std::string("—")) << "\n";
  o << "答复用时（工作日，不含中止）(response working days):";
  if (s.response_median_wd) o << " median " << *s.response_median_wd;
  if (s.response_p90_wd) o << " p90 " << *s.response_p90_wd;
  if (s.response_mean_wd) o << " mean " << fixed(*s.response_mean_wd, 1);
  o << "\n";
  for (const ResponseBucket& b : s.response_buckets)
    o << "  " << b.label << ": " << b.cases << "\n";
  o << "新收 (received): " << s.received << "\n";
  for (const auto& [channel, n] : s.by_channel) o << "  " << channel << ": " << n << "\n";
  o << "当前逾期 (overdue now, " << s.today.str() << "): " << s.overdue << "\n";
  for (const auto& [agency, n] : s.overdue_by_agency) o << "  " << agency << ": " << n << "\n";
  o << "高频主题 (top tags, Art. 44):\n";
  for (const auto& [tag, n] : s.top_tags) o << "  " << tag << ": " << n << "\n";
  return o.str();
}

}  // namespace disclose
