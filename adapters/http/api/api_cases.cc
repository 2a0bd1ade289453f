// /api/v1/cases: register, read, list, act, history, clock.
#include <boost/json.hpp>
#include <utility>

#include "disclose/case_json.h"
#include "disclose/case_view.h"
#include "http/api/api_impl.h"

namespace disclose::http {

namespace json = boost::json;

namespace {

const std::initializer_list<const char*> kReaders = {"registrar", "handler", "reviewer",
                                                     "supervisor", "auditor"};

std::string case_path(CaseId id) {
  return "/api/v1/cases/" + std::to_string(id);
}

void write_links(JsonText& out, CaseId id) {
  const std::string self = case_path(id);
  out.key("links")
      .begin_object()
      .field("self", self)
      .field("history", self + "/history")
      .field("clock", self + "/clock")
      .field("actions", self + "/actions/{action}")
      .end_object();
}

// Accepts `"7"`, `7` and `W/"7"` (a weak validator names the same version here).
std::optional<int64_t> parse_if_match(const std::string& header) {
  std::string text = header;
  if (text.rfind("W/", 0) == 0) text = text.substr(2);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
    text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() > 18) return std::nullopt;
  for (char c : text)
    if (c < '0' || c > '9') return std::nullopt;
  return std::stoll(text);
}

}  // namespace

void Api::Impl::write_case(JsonText& out, const Case& a_case, const Actor& viewer,
                           const std::vector<DeadlineView>& deadlines, bool allow_pii) const {
  ViewOptions view;
  view.show_pii = allow_pii && handles_cases(viewer);
  out.begin_object();
  write_case_view_members(out, engine, a_case, viewer, deadlines, view);
  write_links(out, a_case.id);
  out.end_object();
}

std::string Api::Impl::case_text(const Case& a_case, const Actor& viewer,
                                 const std::vector<DeadlineView>& deadlines, bool allow_pii) const {
  std::string text;
  text.reserve(2048);
  JsonText out(text);
  write_case(out, a_case, viewer, deadlines, allow_pii);
  return text;
}

Case Api::Impl::visible_case(Call& call) {
  require_role(call, kReaders);
  CaseId id = path_id(call, "id");
  auto found = store.load_case(id);
  if (!found || !call.actor.can_see(found->agency))
    throw ApiError{404, "not_found", "no case " + std::to_string(id), "", {}};
  return std::move(*found);
}

IdempotencyBuilder Api::Impl::remember(const Call& call, int status,
                                       std::function<std::string(const Case&)> body_of) const {
  if (call.idempotency_key.empty()) return {};
  return [scope = call.actor.id, key = call.idempotency_key, fingerprint = call.fingerprint, status,
          body_of = std::move(body_of)](const Case& stored) {
    return IdempotencyRecord{scope, key, fingerprint, status, body_of(stored)};
  };
}

Response Api::Impl::create_case(Call& call) {
  json::object body = parse_object_body(call.request);
  auto decision = engine.register_case(body, call.actor, call.now);
  if (!decision) throw api_error(decision.error());
  Case& next = decision.value().next;
  if (!store.find_agency(next.agency))
    throw ApiError{400, "invalid_input", "agency: no agency '" + next.agency + "'", "agency", {}};
  const std::vector<DeadlineView> deadlines = engine.deadlines(next, call.now.today);
  std::string response_body;
  auto render = [&](const Case& stored) {
    response_body = case_text(stored, call.actor, deadlines, true);
    return response_body;
  };
  Case stored =
      store.create_case(next, decision.value().event, deadlines, remember(call, 201, render));
  if (response_body.empty()) render(stored);
  Response r;
  r.status = 201;
  r.body = std::move(response_body);
  r.headers.emplace_back("Location", case_path(stored.id));
  r.headers.emplace_back("ETag", "\"" + std::to_string(stored.version) + "\"");
  return r;
}

Response Api::Impl::get_case(Call& call) {
  Case c = visible_case(call);
  Response r;
  r.status = 200;
  r.body = case_text(c, call.actor, engine.deadlines(c, call.now.today), true);
  r.headers.emplace_back("ETag", "\"" + std::to_string(c.version) + "\"");
  return r;
}

Response Api::Impl::list_cases(Call& call) {
  require_role(call, kReaders);
  CaseFilter filter;
  filter.state = query_text(call, "state");
  filter.agency = query_text(call, "agency");
  filter.workflow = query_text(call, "workflow");
  filter.assignee = query_text(call, "assignee");
  if (auto open = query_bool(call, "open")) filter.open_only = *open;
  if (query_bool(call, "overdue").value_or(false)) filter.overdue_on = call.now.today;
  if (auto before = query_date(call, "due_before")) filter.due_on_or_before = *before - 1;
  if (auto within = query_integer(call, "due_within_wd", 0, 1000)) {
    Date limit = engine.calendar().add_working_days(call.now.today, int(*within)).date;
    if (!filter.due_on_or_before || limit < *filter.due_on_or_before)
      filter.due_on_or_before = limit;
  }
  filter.text = query_text(call, "q").value_or("");
  filter.sort = query_text(call, "sort").value_or("id");
  filter.cursor = query_text(call, "cursor").value_or("");
  filter.limit = int(
      query_integer(call, "limit", 1, options.max_page_size).value_or(options.default_page_size));
  if (!call.actor.scope_all) {
    // Another agency's cases do not exist for this caller: an empty page, not a 403.
    if (filter.agency && *filter.agency != call.actor.agency)
      return json_response(200, json::object{{"cases", json::array{}}, {"next_cursor", nullptr}});
    filter.agency = call.actor.agency;
  }
  CasePage page;
  try {
    page = store.query_cases(filter);
  } catch (const StoreError& e) {
    std::string field = filter.cursor.empty() ? "sort" : "cursor";
    throw ApiError{400, "invalid_query", e.what(), field, {}};
  }
  Response r;
  r.status = 200;
  JsonText out(r.body);
  out.begin_object().key("cases").begin_array();
  for (const Case& c : page.cases)
    write_case(out, c, call.actor, engine.deadlines(c, call.now.today), false);
  out.end_array().key("next_cursor");
  if (page.next_cursor.empty())
    out.null();
  else
    out.string(page.next_cursor);
  out.end_object();
  return r;
}

Response Api::Impl::act(Call& call) {
  Case current = visible_case(call);
  json::object input = parse_object_body(call.request);
  std::optional<int64_t> expected;
  if (auto it = input.find("expected_version"); it != input.end()) {
    if (!it->value().is_int64() || it->value().get_int64() <= 0)
      throw ApiError{400,
                     "invalid_input",
                     "expected_version: expected a positive whole number",
                     "expected_version",
                     {}};
    expected = it->value().get_int64();
    input.erase("expected_version");
  }
  if (std::string header = call.request.header("If-Match"); !header.empty()) {
    auto version = parse_if_match(header);
    if (!version)
      throw ApiError{400, "invalid_header", "If-Match: expected \"<version>\"", "If-Match", {}};
    if (expected && *expected != *version)
      throw ApiError{
          400, "invalid_input", "If-Match and expected_version disagree", "expected_version", {}};
    expected = version;
  }
  if (expected && *expected != current.version)
    throw ApiError{409, "version_conflict",
                   "the case is at version " + std::to_string(current.version) + ", not " +
                       std::to_string(*expected),
                   "", json::object{{"current_version", current.version}}};

  auto decision = engine.apply(current, call.params.at("action"), input, call.actor, call.now);
  if (!decision) throw api_error(decision.error());
  const Case& next = decision.value().next;
  // The answer is rendered before the write: the stored case is `next` (an existing case keeps
  // its number), and the commit group's serial section should not wait for JSON.
  std::vector<DeadlineView> deadlines = engine.deadlines(next, call.now.today);
  Response answer;
  answer.body = case_text(next, call.actor, deadlines, true);
  answer.headers.emplace_back("ETag", "\"" + std::to_string(next.version) + "\"");
  auto remembered = remember(call, 200, [body = answer.body](const Case&) { return body; });
  if (!call.later) {
    store.append_event(next, decision.value().event, current.version, deadlines, remembered);
    return answer;
  }
  // Answered once the write's group commits, from the committing thread: no thread waits.
  store.append_event_async(
      next, std::move(decision.value().event), current.version, deadlines, std::move(remembered),
      [this, later = *call.later, answer = std::move(answer), &request = call.request,
       actor = call.actor.id, key = call.idempotency_key,
       fingerprint = call.fingerprint](std::exception_ptr error) mutable {
        // Whatever happens here, the request gets its one answer (the committing thread drops
        // what a callback throws).
        Response response;
        if (!error) {
          response = std::move(answer);
        } else {
          try {
            response = failed_write_answer(error, request, actor, key, fingerprint);
          } catch (...) {
            response = error_answer(std::current_exception(), request);
          }
        }
        later(std::move(response));
      });
  call.answered_later = true;
  return {};
}

Response Api::Impl::case_history(Call& call) {
  Case c = visible_case(call);
  bool pii = handles_cases(call.actor);
  json::array events;
  for (const Event& e : store.history(c.id)) {
    json::object event = to_json(e);
    // The registering event carries the applicant as entered: mask it like the case itself.
    if (!pii && e.seq == 1) {
      if (auto* input = event.if_contains("input"); input && input->is_object()) {
        if (input->as_object().contains("applicant"))
          input->as_object()["applicant"] = masked_applicant(c.registration.applicant);
      }
    }
    event["prev_hash"] = e.prev_hash;
    event["hash"] = e.hash;
    event["global_seq"] = e.global_seq;
    event["global_prev_hash"] = e.global_prev_hash;
    event["global_hash"] = e.global_hash;
    events.push_back(std::move(event));
  }
  return json_response(200, json::object{{"case_id", c.id}, {"events", std::move(events)}});
}

Response Api::Impl::case_clock(Call& call) {
  Case c = visible_case(call);
  json::array deadlines;
  for (const Clock& clock : c.clocks)
    if (auto e = engine.explain(c, clock.kind, call.now.today))
      deadlines.push_back(explanation_json(*e));
  return json_response(200, json::object{{"case_id", c.id},
                                         {"calendar_version", engine.calendar().version()},
                                         {"deadlines", std::move(deadlines)}});
}

}  // namespace disclose::http
