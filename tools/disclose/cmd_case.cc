// disclose case create | act | show | history | list | clock
#include <iomanip>
#include <iostream>
#include <sstream>

#include <boost/json.hpp>

#include "disclose/case_json.h"
#include "disclose/case_view.h"
#include "disclose/commands.h"

namespace disclose::cli {
namespace {

namespace json = boost::json;

// Input problems exit 2 (the caller must fix the request); rule refusals exit 1.
int exit_status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::missing_input:
    case ErrorCode::invalid_input:
    case ErrorCode::date_in_future:
    case ErrorCode::date_out_of_order:
      return 2;
    default:
      return 1;
  }
}

[[noreturn]] void refuse(const ActionError& error) {
  std::string where = error.field.empty() ? "" : " [field " + error.field + "]";
  throw CliError(exit_status_for(error.code),
                 std::string(to_string(error.code)) + where + ": " + error.message);
}

CaseId parse_id(const std::string& text) {
  char* end = nullptr;
  long long id = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || id <= 0) throw CliError(2, "not a case id: '" + text + "'");
  return id;
}

// Loads a case the actor may see; another agency's case is "not found", never "forbidden".
Case load_visible(Context& context, CaseId id) {
  auto found = context.store().load_case(id);
  if (!found || !context.actor().can_see(found->agency))
    throw CliError(1, "no case " + std::to_string(id));
  return *found;
}

json::object event_json(const Event& e) {
  json::object out = to_json(e);
  out["prev_hash"] = e.prev_hash;
  out["hash"] = e.hash;
  out["global_seq"] = e.global_seq;
  out["global_hash"] = e.global_hash;
  return out;
}

std::string pad(const std::string& s, size_t width) {
  // Width in display columns is not bytes for CJK text; pad by code points, good enough for
  // ASCII columns (ids, dates, states).
  size_t points = 0;
  for (unsigned char c : s) points += (c & 0xC0) != 0x80;
  return points >= width ? s + " " : s + std::string(width - points, ' ');
}

void print_explanation(std::ostream& out, const DeadlineExplanation& e) {
  const DeadlineView& v = e.view;
  out << v.kind << ": ";
  if (v.due_on) {
    out << "due " << v.due_on->str();
  } else {
    out << "no due date";
  }
  out << " — " << to_string(v.status);
  if (v.remaining_wd) out << ", " << *v.remaining_wd << " working day(s) left";
  if (v.overdue) out << ", OVERDUE";
  if (v.provisional) out << ", provisional";
  out << "\n";
  out << "  counted from " << e.start.str() << " (day 0): " << e.working_days << " wd";
  if (e.extension_wd) out << " + " << e.extension_wd << " wd extension";
  if (e.paused_wd) out << " + " << e.paused_wd << " wd paused";
  if (e.override_due) out << "; replaced by " << e.override_due->str() << " (Art. 35)";
  out << "\n";
  for (const ClockStep& s : e.steps) {
    out << "  v" << s.event_version << "  " << s.on.str() << "  " << s.what;
    if (s.working_days) out << " " << s.working_days << " wd";
    if (s.due_on) out << " → " << s.due_on->str();
    if (!s.note.empty()) out << "  (" << s.note << ")";
    out << "\n";
  }
  out << "  calendar " << e.calendar_version << "\n";
}

}  // namespace

void add_case_commands(CLI::App& app, Context& context, Io& io) {
  auto* cases = app.add_subcommand("case", "requests (cases)");
  cases->require_subcommand(1);

  auto* create = cases->add_subcommand("create", "register a request (DESIGN.md §7 JSON)");
  auto create_json = std::make_shared<std::string>();
  auto create_quiet = std::make_shared<bool>(false);
  create->add_option("--json", *create_json, "FILE, or - for stdin")->required();
  create->add_flag("--quiet", *create_quiet, "print only the new case id");
  create->callback([&context, &io, create_json, create_quiet] {
    json::value doc = parse_json_input(read_input(*create_json, io.in), *create_json);
    Engine& engine = context.engine();
    Moment now = context.now();
    auto decision = engine.register_case(doc, context.actor(), now);
    if (!decision) refuse(decision.error());
    Case& next = decision.value().next;
    if (!context.store().find_agency(next.agency))
      throw CliError(2, "agency [field agency]: no agency '" + next.agency + "'");
    Case stored = context.store().create_case(next, decision.value().event,
                                              engine.deadlines(next, now.today));
    if (*create_quiet) {
      io.out << stored.id << "\n";
    } else {
      print_json(io.out, case_view(engine, stored, context.actor(), now.today));
    }
  });

  auto* act = cases->add_subcommand("act", "take an action on a case");
  auto act_id = std::make_shared<std::string>();
  auto act_name = std::make_shared<std::string>();
  auto act_json = std::make_shared<std::string>();
  auto act_quiet = std::make_shared<bool>(false);
  act->add_option("id", *act_id, "case id")->required();
  act->add_option("action", *act_name, "action name, e.g. submit_review")->required();
  act->add_option("--json", *act_json, "input FILE, or - for stdin (default: {})");
  act->add_flag("--quiet", *act_quiet, "print only the new state and version");
  act->callback([&context, &io, act_id, act_name, act_json, act_quiet] {
    CaseId id = parse_id(*act_id);
    json::value input = json::object{};
    if (!act_json->empty()) input = parse_json_input(read_input(*act_json, io.in), *act_json);
    Case current = load_visible(context, id);
    Engine& engine = context.engine();
    Moment now = context.now();
    Actor actor = context.actor();
    auto decision = engine.apply(current, *act_name, input, actor, now);
    if (!decision) refuse(decision.error());
    const Case& next = decision.value().next;
    try {
      context.store().append_event(next, decision.value().event, current.version,
                                   engine.deadlines(next, now.today));
    } catch (const VersionConflict& e) {
      throw CliError(1, std::string("version conflict: ") + e.what() + "; try again");
    }
    if (*act_quiet) {
      io.out << next.state << " v" << next.version << "\n";
    } else {
      print_json(io.out, case_view(engine, next, actor, now.today));
    }
  });

  auto* show = cases->add_subcommand("show", "a case with its deadlines and flags");
  auto show_id = std::make_shared<std::string>();
  show->add_option("id", *show_id, "case id")->required();
  show->callback([&context, &io, show_id] {
    Case c = load_visible(context, parse_id(*show_id));
    print_json(io.out, case_view(context.engine(), c, context.actor(), context.now().today));
  });

  auto* history = cases->add_subcommand("history", "every event of a case, oldest first");
  auto history_id = std::make_shared<std::string>();
  auto brief = std::make_shared<bool>(false);
  history->add_option("id", *history_id, "case id")->required();
  history->add_flag("--brief", *brief, "one line per event");
  history->callback([&context, &io, history_id, brief] {
    Case c = load_visible(context, parse_id(*history_id));
    auto events = context.store().history(c.id);
    if (*brief) {
      for (const Event& e : events) {
        io.out << std::setw(3) << e.seq << "  " << (e.on ? e.on->str() : std::string(10, ' '))
               << "  " << pad(e.type, 20) << pad(e.from_state.empty() ? "-" : e.from_state, 20)
               << "→ " << pad(e.to_state, 20) << e.actor << "\n";
      }
      return;
    }
    json::array out;
    for (const Event& e : events) out.push_back(event_json(e));
    print_json(io.out, out);
  });

  auto* list = cases->add_subcommand("list", "cases, newest filters first");
  auto state = std::make_shared<std::string>();
  auto agency = std::make_shared<std::string>();
  auto overdue = std::make_shared<bool>(false);
  auto as_json = std::make_shared<bool>(false);
  list->add_option("--state", *state, "only this state");
  list->add_option("--agency", *agency, "only this agency");
  list->add_flag("--overdue", *overdue, "only cases with an overdue deadline");
  list->add_flag("--json", *as_json, "JSON lines instead of a table");
  list->callback([&context, &io, state, agency, overdue, as_json] {
    Actor actor = context.actor();
    Moment now = context.now();
    CaseFilter filter;
    if (!state->empty()) filter.state = *state;
    if (!agency->empty()) filter.agency = *agency;
    if (!actor.scope_all) {
      if (filter.agency && *filter.agency != actor.agency) return;
      filter.agency = actor.agency;
    }
    if (*overdue) filter.overdue_on = now.today;
    filter.limit = 500;
    Engine& engine = context.engine();
    if (!*as_json)
      io.out << pad("ID", 7) << pad("NUMBER", 22) << pad("STATE", 20) << pad("RECEIVED", 12)
             << "DEADLINES\n";
    for (;;) {
      auto page = context.store().list_cases(filter);
      for (const Case& c : page) {
        if (*as_json) {
          io.out << json::serialize(
                        case_view(engine, c, actor, now.today, ViewOptions{.show_pii = false}))
                 << "\n";
          continue;
        }
        std::ostringstream due;
        for (const DeadlineView& d : engine.deadlines(c, now.today)) {
          if (d.status != ClockStatus::running && d.status != ClockStatus::paused) continue;
          due << d.kind << " " << (d.due_on ? d.due_on->str() : "-");
          if (d.remaining_wd) due << " (" << *d.remaining_wd << " wd)";
          if (d.overdue) due << " OVERDUE";
          due << "  ";
        }
        io.out << pad(std::to_string(c.id), 7) << pad(c.number, 22) << pad(c.state, 20)
               << pad(c.registration.received_on.str(), 12) << due.str() << "\n";
      }
      if (static_cast<int>(page.size()) < filter.limit) break;
      filter.after_id = page.back().id;
    }
  });

  auto* clock = cases->add_subcommand("clock", "explain every deadline of a case");
  auto clock_id = std::make_shared<std::string>();
  auto clock_json = std::make_shared<bool>(false);
  clock->add_option("id", *clock_id, "case id")->required();
  clock->add_flag("--json", *clock_json, "JSON instead of text");
  clock->callback([&context, &io, clock_id, clock_json] {
    Case c = load_visible(context, parse_id(*clock_id));
    Date today = context.now().today;
    json::array all;
    for (const Clock& k : c.clocks) {
      auto e = context.engine().explain(c, k.kind, today);
      if (!e) continue;
      if (*clock_json) {
        all.push_back(explanation_json(*e));
      } else {
        print_explanation(io.out, *e);
      }
    }
    if (*clock_json) print_json(io.out, all);
  });
}

}  // namespace disclose::cli
