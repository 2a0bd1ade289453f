// disclose subscription … | notification … | timers … | user contacts (issue #4)

#include <algorithm>
#include <array>
#include <cctype>
#include <iostream>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "disclose/commands.h"

namespace disclose::cli {

namespace {

std::vector<std::string> split_events(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string item =
        list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) {
      if (!is_subscribable_event(item))
        throw CliError(2, "--events: unknown event type '" + item + "'");
      out.push_back(item);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.empty()) throw CliError(2, "--events: name at least one event type, or *");
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

void print_subscription(std::ostream& out, const Subscription& s) {
  out << s.id << "\t" << to_string(s.kind) << "\t" << s.url << "\t" << (s.agency ? *s.agency : "*")
      << "\t" << join(s.events) << "\t" << (s.enabled ? "enabled" : "disabled")
      << (s.description.empty() ? "" : "\t" + s.description) << "\n";
}

Subscription existing_subscription(Context& context, long long id) {
  auto s = context.store().find_subscription(id);
  if (!s) throw CliError(1, "no subscription " + std::to_string(id));
  return *s;
}

}  // namespace

void add_notify_commands(CLI::App& app, Context& context, Io& io) {
  // --- subscriptions --------------------------------------------------------------------------
  auto* subscription = app.add_subcommand("subscription", "where staff notifications go");
  subscription->require_subcommand(1);
  auto* add = subscription->add_subcommand("add", "subscribe an address (prints the secret once)");
  auto url = std::make_shared<std::string>();
  auto kind = std::make_shared<std::string>();
  auto secret = std::make_shared<std::string>();
  auto agency = std::make_shared<std::string>();
  auto events = std::make_shared<std::string>("*");
  auto description = std::make_shared<std::string>();
  auto disabled = std::make_shared<bool>(false);
  add->add_option("--url", *url, "http(s) address; for robots their webhook address")->required();
  add->add_option("--kind", *kind, "webhook|wecom|dingtalk|feishu")
      ->required()
      ->check(CLI::IsMember({"webhook", "wecom", "dingtalk", "feishu"}));
  add->add_option("--secret", *secret,
                  "webhook: whsec_… (generated when omitted); dingtalk/feishu: signing secret");
  add->add_option("--agency", *agency, "only this agency's cases (default: all)");
  add->add_option("--events", *events, "comma-separated event types, or * (default)");
  add->add_option("--description", *description, "a note for admins");
  add->add_flag("--disabled", *disabled, "add it switched off");
  add->callback([&context, &io, url, kind, secret, agency, events, description, disabled] {
    // The API's rule (api_notify.cc): an absolute http(s) URL with a host.
    auto parsed = boost::urls::parse_absolute_uri(*url);
    if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
        parsed->host().empty())
      throw CliError(2, "--url: an absolute http:// or https:// URL");
    Subscription s;
    s.url = *url;
    s.kind = *subscription_kind_from(*kind);
    s.secret = *secret;
    if (s.kind == SubscriptionKind::webhook && s.secret.empty()) s.secret = new_webhook_secret();
    if (!agency->empty()) {
      if (!context.store().find_agency(*agency))
        throw CliError(1, "--agency: no agency '" + *agency + "'");
      s.agency = *agency;
    }
    s.events = split_events(*events);
    s.description = *description;
    s.enabled = !*disabled;
    Subscription stored = context.store().add_subscription(s);
    io.out << "subscription " << stored.id << "\n";
    if (!stored.secret.empty() && secret->empty()) {
      io.out << "secret " << stored.secret << "\n";
      io.err << "the secret is shown only now; give it to the receiver\n";
    }
  });
  subscription->add_subcommand("list", "list subscriptions")->callback([&context, &io] {
    for (const Subscription& s : context.store().subscriptions()) print_subscription(io.out, s);
  });
  for (const char* verb : {"enable", "disable"}) {
    auto* cmd = subscription->add_subcommand(verb, std::string(verb) + " a subscription");
    auto id = std::make_shared<long long>(0);
    cmd->add_option("id", *id, "subscription id")->required()->check(CLI::PositiveNumber);
    bool enable = std::string(verb) == "enable";
    cmd->callback([&context, &io, id, enable] {
      Subscription s = existing_subscription(context, *id);
      s.enabled = enable;
      context.store().update_subscription(s);
      io.out << "subscription " << s.id << (enable ? " enabled" : " disabled") << "\n";
    });
  }
  auto* remove = subscription->add_subcommand(
      "remove", "delete a subscription and its undelivered notifications");
  auto remove_id = std::make_shared<long long>(0);
  remove->add_option("id", *remove_id, "subscription id")->required()->check(CLI::PositiveNumber);
  remove->callback([&context, &io, remove_id] {
    if (!context.store().remove_subscription(*remove_id))
      throw CliError(1, "no subscription " + std::to_string(*remove_id));
    io.out << "subscription " << *remove_id << " removed\n";
  });
  auto* test = subscription->add_subcommand("test", "queue a test message (sent by the server)");
  auto test_id = std::make_shared<long long>(0);
  test->add_option("id", *test_id, "subscription id")->required()->check(CLI::PositiveNumber);
  test->callback([&context, &io, test_id] {
    Subscription s = existing_subscription(context, *test_id);
    Notification n;
    n.type = "test";
    n.timestamp = context.now().at;
    n.data["case"] = boost::json::object{
        {"id", 0}, {"number", "（测试）"}, {"state", ""}, {"agency", s.agency ? *s.agency : ""}};
    n.data["text"] = "这是一条来自 Disclose 的测试消息，收到即表示配置正确。";
    OutboxItem item = context.store().enqueue(s.id, 0, n, context.now().at);
    io.out << "notification " << item.id << " queued (" << item.message_id << ")\n";
  });

  // --- notifications (the outbox) ----------------------------------------------------------
  auto* notification =
      app.add_subcommand("notification", "queued, delivered and dead notifications");
  notification->require_subcommand(1);
  auto* list = notification->add_subcommand("list", "list notifications, oldest first");
  auto status = std::make_shared<std::string>();
  auto by_subscription = std::make_shared<long long>(0);
  auto limit = std::make_shared<int>(100);
  list->add_option("--status", *status, "pending|delivered|dead")
      ->check(CLI::IsMember({"pending", "delivered", "dead"}));
  list->add_option("--subscription", *by_subscription, "only this subscription");
  list->add_option("--limit", *limit, "at most this many (default 100)")
      ->check(CLI::Range(1, 100000));
  list->callback([&context, &io, status, by_subscription, limit] {
    OutboxFilter filter;
    if (!status->empty()) filter.status = outbox_status_from(*status);
    if (*by_subscription > 0) filter.subscription_id = *by_subscription;
    filter.limit = *limit;
    for (const OutboxItem& item : context.store().list_outbox(filter)) {
      io.out << item.id << "\t" << to_string(item.status) << "\t" << item.notification.type << "\t"
             << "sub " << item.subscription_id << "\t" << item.message_id << "\t" << item.attempts
             << " attempt(s)" << (item.last_error.empty() ? "" : "\t" + item.last_error) << "\n";
    }
  });
  auto* replay = notification->add_subcommand("replay", "send a dead notification again");
  auto replay_id = std::make_shared<long long>(0);
  replay->add_option("id", *replay_id, "notification id")->required()->check(CLI::PositiveNumber);
  replay->callback([&context, &io, replay_id] {
    auto item = context.store().find_outbox(*replay_id);
    if (!item) throw CliError(1, "no notification " + std::to_string(*replay_id));
    if (!context.store().replay(item->id, context.now().at))
      throw CliError(1, std::string("notification ") + std::to_string(item->id) + " is " +
                            to_string(item->status) + ", not dead");
    io.out << "notification " << item->id << " queued again (" << item->message_id << ")\n";
  });

  // --- timers -------------------------------------------------------------------------------
  auto* timers = app.add_subcommand("timers", "deadline timers and reminders");
  timers->require_subcommand(1);
  timers->add_subcommand("fire", "fire every timer due now (the server does this by itself)")
      ->callback([&context, &io] {
        FireReport report = context.timers().fire_due(context.now());
        io.out << report.cases << " case(s): " << report.reminders << " reminder(s) queued, "
               << report.expiries << " expiry action(s), " << report.refused << " refused\n";
      });
  timers->add_subcommand("replan", "plan every open case's timers afresh (after an upgrade)")
      ->callback([&context, &io] {
        int64_t count = context.timers().replan_open_cases(context.now());
        io.out << count << " open case(s) replanned\n";
      });
  auto* show = timers->add_subcommand("list", "a case's pending timers");
  auto case_id = std::make_shared<long long>(0);
  show->add_option("case", *case_id, "case id")->required()->check(CLI::PositiveNumber);
  show->callback([&context, &io, case_id] {
    for (const PlannedTimer& t : context.store().pending_timers(*case_id)) {
      io.out << format_instant(t.fire_at, 8 * 60) << "\t" << to_string(t.purpose) << "\t"
             << t.deadline << "\tepoch " << t.epoch << "\toffset " << t.offset_wd << "\n";
    }
  });

  // --- staff contact details ------------------------------------------------------------------
  auto* user = app.get_subcommand("user");
  auto* contacts = user->add_subcommand("contacts", "set mobile and messaging ids for @-mentions");
  auto user_id = std::make_shared<long long>(0);
  auto mobile = std::make_shared<std::optional<std::string>>();
  auto wecom = std::make_shared<std::optional<std::string>>();
  auto dingtalk = std::make_shared<std::optional<std::string>>();
  auto feishu = std::make_shared<std::optional<std::string>>();
  contacts->add_option("id", *user_id, "user id")->required()->check(CLI::PositiveNumber);
  contacts->add_option("--mobile", *mobile, "mobile number (DingTalk @)");
  contacts->add_option("--wecom", *wecom, "企业微信 userid");
  contacts->add_option("--dingtalk", *dingtalk, "钉钉 userId");
  contacts->add_option("--feishu", *feishu, "飞书 user_id");
  contacts->callback([&context, &io, user_id, mobile, wecom, dingtalk, feishu] {
    auto found = context.store().find_user(*user_id);
    if (!found) throw CliError(1, "no user " + std::to_string(*user_id));
    if (*mobile) {
      if ((*mobile)->size() > 20) throw CliError(2, "--mobile: at most 20 characters");
      for (char c : **mobile)
        if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-'))
          throw CliError(2, "--mobile: digits, '+' and '-' only");
      found->mobile = **mobile;
    }
    if (*wecom) found->wecom_userid = **wecom;
    if (*dingtalk) found->dingtalk_userid = **dingtalk;
    if (*feishu) found->feishu_user_id = **feishu;
    context.store().set_user_contacts(*found);
    io.out << "user " << found->id << ": mobile " << found->mobile << ", wecom "
           << found->wecom_userid << ", dingtalk " << found->dingtalk_userid << ", feishu "
           << found->feishu_user_id << "\n";
  });
}

}  // namespace disclose::cli
