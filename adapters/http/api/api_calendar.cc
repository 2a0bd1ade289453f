// /api/v1/calendar/{year}: one year of the working-day calendar for the console's admin page,
// and importing a year's official notice (holiday-cn JSON, as `disclose calendar import`).
#include <boost/json.hpp>
#include <charconv>

#include "http/api/api_impl.h"

namespace disclose::http {

namespace json = boost::json;

namespace {

int path_year(const Call& call) {
  const std::string& text = call.params.at("year");
  int year = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), year);
  if (error != std::errc() || end != text.data() + text.size() || text.size() != 4 || year < 1900 ||
      year > 2999)
    throw ApiError{404, "not_found", "no such calendar year (expected YYYY)", "", {}};
  return year;
}

json::array date_list(const std::vector<Date>& days) {
  json::array out;
  for (Date d : days) out.emplace_back(d.str());
  return out;
}

}  // namespace

Response Api::Impl::get_calendar_year(Call& call) {
  int year = path_year(call);
  const WorkingCalendar& calendar = engine.calendar();
  json::object out{{"year", year}, {"calendar_version", calendar.version()}};
  const CalendarYear* data = nullptr;
  for (const CalendarYear& y : calendar.years())
    if (y.year == year) data = &y;
  bool imported = false;
  if (data) {
    for (const CalendarYear& y : store.calendar_years())
      if (y.year == year) imported = true;
  }
  // "none": no data for the year; its dates count with weekends only (provisional).
  out["origin"] = !data ? "none" : imported ? "imported" : "bundled";
  out["official"] = data ? data->official : false;
  out["version"] = data ? json::value(data->version) : json::value(nullptr);
  out["source"] = data ? json::value(data->source) : json::value(nullptr);
  out["off_days"] = data ? date_list(data->off_days) : json::array();
  out["work_days"] = data ? date_list(data->work_days) : json::array();
  Date first = Date::from_ymd(year, 1, 1), last = Date::from_ymd(year, 12, 31);
  out["working_days"] = calendar.working_days_between(first - 1, last);
  return json_response(200, out);
}

Response Api::Impl::put_calendar_year(Call& call) {
  if (!imports_calendars(call.actor)) {
    require_role(call, {"admin"});  // its refusal for other roles
    throw ApiError{
        403, "out_of_scope", "only an admin with scope all may change the calendar", "", {}};
  }
  int year = path_year(call);
  if (options.holds_server_alone && !options.holds_server_alone()) {
    // Let in beside other requests (its caller's credentials changed between traits() and
    // now): importing here would change the calendar under them.
    call.meta->headers.emplace_back("Retry-After", "1");
    throw ApiError{503, "busy", "the calendar could not be imported alone now; try again", "", {}};
  }
  if (!options.import_calendar)
    throw ApiError{501,
                   "not_implemented",
                   "this server cannot import calendars; use `disclose calendar import`",
                   "",
                   {}};
  std::vector<CalendarYear> years;
  try {
    years = import_holiday_cn({HolidayCnFile{"request body", call.request.body}});
  } catch (const CalendarError& e) {
    throw ApiError{400, "invalid_input", e.what(), "", {}};
  }
  bool has_year = false;
  for (const CalendarYear& y : years)
    if (y.year == year && y.official) has_year = true;
  if (!has_year)
    throw ApiError{400,
                   "invalid_input",
                   "year: the body is the holiday-cn file of another year (expected " +
                       std::to_string(year) + ")",
                   "year",
                   {}};
  CalendarImportReport report;
  try {
    report = options.import_calendar(years);
  } catch (const CalendarError& e) {
    throw ApiError{422, "invalid_input", e.what(), "", {}};
  }
  json::array imported;
  for (const CalendarYear& y : report.years)
    imported.push_back(json::object{{"year", y.year},
                                    {"official", y.official},
                                    {"off_days", y.off_days.size()},
                                    {"work_days", y.work_days.size()}});
  return json_response(200, json::object{{"imported", std::move(imported)},
                                         {"calendar_version", report.calendar_version},
                                         {"cases_checked", report.cases_checked},
                                         {"cases_changed", report.cases_changed}});
}

}  // namespace disclose::http
