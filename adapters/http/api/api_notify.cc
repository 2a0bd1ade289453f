// /api/v1/subscriptions and /api/v1/notifications (issue #4): admins manage where staff
// notifications go, see what could not be delivered, and send it again.
//
// Scope: an admin with scope `all` manages every subscription; an agency admin manages only the
// subscriptions filtered to their own agency, and sees only those subscriptions' notifications.

#include <algorithm>
#include <array>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "http/api/api_impl.h"

namespace disclose::http {

namespace json = boost::json;

namespace {

// Secrets are shown once, when created; afterwards only enough to recognise them.
std::string masked_secret(const std::string& secret) {
  if (secret.empty()) return "";
  std::string prefix = secret.rfind("whsec_", 0) == 0 ? "whsec_" : "";
  std::string tail = secret.size() > prefix.size() + 4 ? secret.substr(secret.size() - 4) : "";
  return prefix + "…" + tail;
}

json::object subscription_json(const Subscription& s, bool show_secret) {
  json::array events;
  for (const std::string& e : s.events) events.push_back(json::value(e));
  return json::object{{"id", s.id},
                      {"url", s.url},
                      {"kind", to_string(s.kind)},
                      {"secret", show_secret ? s.secret : masked_secret(s.secret)},
                      {"agency", s.agency ? json::value(*s.agency) : json::value(nullptr)},
                      {"events", std::move(events)},
                      {"enabled", s.enabled},
                      {"description", s.description},
                      {"created_at", format_instant(s.created_at, 8 * 60)}};
}

json::value optional_instant(const std::optional<Instant>& at) {
  return at ? json::value(format_instant(*at, 8 * 60)) : json::value(nullptr);
}

json::object outbox_json(const OutboxItem& item) {
  return json::object{
      {"id", item.id},
      {"message_id", item.message_id},
      {"subscription_id", item.subscription_id},
      {"case_id", item.case_id == 0 ? json::value(nullptr) : json::value(item.case_id)},
      {"type", item.notification.type},
      {"status", to_string(item.status)},
      {"attempts", item.attempts},
      {"created_at", format_instant(item.created_at, 8 * 60)},
      {"first_attempt_at", optional_instant(item.first_attempt_at)},
      {"next_attempt_at", format_instant(item.next_attempt_at, 8 * 60)},
      {"delivered_at", optional_instant(item.delivered_at)},
      {"last_error", item.last_error},
      {"notification",
       json::object{{"type", item.notification.type},
                    {"timestamp", format_instant(item.notification.timestamp, 8 * 60)},
                    {"data", item.notification.data}}}};
}

std::string checked_url(const std::string& url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
      parsed->host().empty())
    throw ApiError{400, "invalid_input", "url: an absolute http:// or https:// URL", "url", {}};
  return url;
}

std::vector<std::string> checked_events(const json::value& value) {
  if (!value.is_array() || value.as_array().empty())
    throw ApiError{
        400, "invalid_input", "events: a non-empty list of event types or [\"*\"]", "events", {}};
  std::vector<std::string> out;
  for (const json::value& v : value.as_array()) {
    if (!v.is_string() || !is_subscribable_event(std::string_view(v.as_string())))
      throw ApiError{
          400,
          "invalid_input",
          "events: unknown event type " + json::serialize(v) + " (see notification types)",
          "events",
          {}};
    out.emplace_back(v.as_string());
  }
  return out;
}

// Applies the body's fields to `s`; `creating` makes url and kind required.
void apply_subscription_fields(const json::object& body, Subscription& s, bool creating) {
  only_fields(body, {"url", "kind", "secret", "agency", "events", "enabled", "description"});
  if (creating || body.contains("url")) s.url = checked_url(body_string(body, "url", true, 2000));
  if (creating || body.contains("kind")) {
    std::string kind = body_string(body, "kind", true, 20);
    auto parsed = subscription_kind_from(kind);
    if (!parsed)
      throw ApiError{
          400, "invalid_input", "kind: one of webhook, wecom, dingtalk, feishu", "kind", {}};
    s.kind = *parsed;
  }
  if (body.contains("secret")) s.secret = body_string(body, "secret", false, 500);
  if (body.contains("agency")) {
    if (body.at("agency").is_null()) {
      s.agency.reset();
    } else {
      std::string agency = body_string(body, "agency", false, 64);
      s.agency = agency.empty() ? std::nullopt : std::optional<std::string>(agency);
    }
  }
  if (body.contains("events")) s.events = checked_events(body.at("events"));
  if (auto enabled = body_bool(body, "enabled")) s.enabled = *enabled;
  if (body.contains("description")) s.description = body_string(body, "description", false, 500);
}

bool manages(const Actor& actor, const Subscription& s) {
  if (!actor.has_role("admin")) return false;
  return actor.scope_all || (s.agency && *s.agency == actor.agency);
}

}  // namespace

Subscription Api::Impl::managed_subscription(Call& call, int64_t id) {
  auto s = store.find_subscription(id);
  if (!s || !manages(call.actor, *s))
    throw ApiError{404, "not_found", "no such subscription", "", {}};
  return *s;
}

void Api::Impl::check_subscription_scope(const Call& call, const Subscription& s) const {
  if (!call.actor.scope_all && (!s.agency || *s.agency != call.actor.agency))
    throw ApiError{403,
                   "out_of_scope",
                   "an agency admin may only subscribe to their own agency's cases",
                   "agency",
                   {}};
  if (s.agency && !store.find_agency(*s.agency))
    throw ApiError{400, "invalid_input", "agency: no agency '" + *s.agency + "'", "agency", {}};
}

Response Api::Impl::list_subscriptions(Call& call) {
  require_role(call, {"admin"});
  json::array out;
  for (const Subscription& s : store.subscriptions())
    if (manages(call.actor, s)) out.push_back(subscription_json(s, false));
  return json_response(200, json::object{{"subscriptions", std::move(out)}});
}

Response Api::Impl::create_subscription(Call& call) {
  require_role(call, {"admin"});
  json::object body = parse_object_body(call.request);
  Subscription s;
  // Agency admins subscribe to their own agency unless they say so explicitly.
  if (!call.actor.scope_all) s.agency = call.actor.agency;
  apply_subscription_fields(body, s, true);
  if (s.kind == SubscriptionKind::webhook && s.secret.empty()) s.secret = new_webhook_secret();
  check_subscription_scope(call, s);
  Subscription stored = store.add_subscription(s);
  Response r = json_response(201, subscription_json(stored, true));
  r.headers.emplace_back("Location", "/api/v1/subscriptions/" + std::to_string(stored.id));
  return r;
}

Response Api::Impl::get_subscription(Call& call) {
  require_role(call, {"admin"});
  return json_response(200,
                       subscription_json(managed_subscription(call, path_id(call, "id")), false));
}

Response Api::Impl::update_subscription(Call& call) {
  require_role(call, {"admin"});
  Subscription s = managed_subscription(call, path_id(call, "id"));
  json::object body = parse_object_body(call.request);
  bool secret_made = false;
  apply_subscription_fields(body, s, false);
  // Turned into a webhook without a secret: make one, or it would go out unsigned.
  if (s.kind == SubscriptionKind::webhook && s.secret.empty()) {
    s.secret = new_webhook_secret();
    secret_made = true;
  }
  check_subscription_scope(call, s);
  if (!store.update_subscription(s))
    throw ApiError{404, "not_found", "no such subscription", "", {}};
  return json_response(200, subscription_json(s, body.contains("secret") || secret_made));
}

Response Api::Impl::delete_subscription(Call& call) {
  require_role(call, {"admin"});
  Subscription s = managed_subscription(call, path_id(call, "id"));
  if (!store.remove_subscription(s.id))
    throw ApiError{404, "not_found", "no such subscription", "", {}};
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

// Queues a harmless message to check the address, key and signature from the console.
Response Api::Impl::test_subscription(Call& call) {
  require_role(call, {"admin"});
  Subscription s = managed_subscription(call, path_id(call, "id"));
  Notification n;
  n.type = "test";
  n.timestamp = call.now.at;
  n.data["case"] = json::object{
      {"id", 0}, {"number", "（测试）"}, {"state", ""}, {"agency", s.agency ? *s.agency : ""}};
  n.data["text"] = "这是一条来自 Disclose 的测试消息，收到即表示配置正确。";
  n.data["requested_by"] = call.actor.id;
  OutboxItem item = store.enqueue(s.id, 0, n, call.now.at);
  if (options.notifications_queued) options.notifications_queued();
  return json_response(202, outbox_json(item));
}

Response Api::Impl::list_notifications(Call& call) {
  require_role(call, {"admin"});
  OutboxFilter filter;
  if (auto status = query_text(call, "status")) {
    filter.status = outbox_status_from(*status);
    if (!filter.status)
      throw ApiError{400, "invalid_input", "status: one of pending, delivered, dead", "status", {}};
  }
  if (auto sub = query_integer(call, "subscription", 1, INT64_MAX)) filter.subscription_id = *sub;
  if (auto case_id = query_integer(call, "case", 1, INT64_MAX)) filter.case_id = *case_id;
  if (auto after = query_integer(call, "after", 0, INT64_MAX)) filter.after_id = *after;
  const int limit = static_cast<int>(
      query_integer(call, "limit", 1, options.max_page_size).value_or(options.default_page_size));
  // Agency admins see their own subscriptions' rows: filter by subscription after the query and
  // keep paging until the page is full, so scope never shortens a page silently. One row more
  // than the page is looked for, so next_after is null exactly when nothing visible follows.
  std::vector<int64_t> visible;
  for (const Subscription& s : store.subscriptions())
    if (manages(call.actor, s)) visible.push_back(s.id);
  filter.limit = limit + 1;
  json::array out;
  int64_t last_id = 0;  // the last row answered
  bool more = false;
  while (!more && !visible.empty()) {
    std::vector<OutboxItem> page = store.list_outbox(filter);
    for (const OutboxItem& item : page) {
      filter.after_id = item.id;
      if (std::find(visible.begin(), visible.end(), item.subscription_id) == visible.end())
        continue;
      if (static_cast<int>(out.size()) == limit) {
        more = true;
        break;
      }
      out.push_back(outbox_json(item));
      last_id = item.id;
    }
    if (static_cast<int>(page.size()) < filter.limit) break;
  }
  json::object body{{"notifications", std::move(out)}};
  body["next_after"] = more ? json::value(last_id) : json::value(nullptr);
  return json_response(200, body);
}

OutboxItem Api::Impl::visible_notification(Call& call) {
  auto item = store.find_outbox(path_id(call, "id"));
  if (item) {
    auto s = store.find_subscription(item->subscription_id);
    if (s && manages(call.actor, *s)) return *item;
  }
  throw ApiError{404, "not_found", "no such notification", "", {}};
}

Response Api::Impl::get_notification(Call& call) {
  require_role(call, {"admin"});
  return json_response(200, outbox_json(visible_notification(call)));
}

Response Api::Impl::replay_notification(Call& call) {
  require_role(call, {"admin"});
  OutboxItem item = visible_notification(call);
  if (!store.replay(item.id, call.now.at))
    throw ApiError{409,
                   "conflict",
                   std::string("only dead notifications can be replayed; this one is ") +
                       to_string(item.status),
                   "",
                   {}};
  if (options.notifications_queued) options.notifications_queued();
  return json_response(200, outbox_json(*store.find_outbox(item.id)));
}

}  // namespace disclose::http
