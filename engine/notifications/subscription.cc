// Subscription kinds by name and the filter that decides who hears about what.
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "disclose/notification.h"

namespace disclose {

const char* to_string(SubscriptionKind kind) {
  switch (kind) {
    case SubscriptionKind::webhook:
      return "webhook";
    case SubscriptionKind::wecom:
      return "wecom";
    case SubscriptionKind::dingtalk:
      return "dingtalk";
    case SubscriptionKind::feishu:
      return "feishu";
  }
  return "webhook";
}

std::optional<SubscriptionKind> subscription_kind_from(std::string_view text) {
  // Exact names only: these are stored and sent over the API, so "WeCom" is a client's mistake
  // to report, not a spelling to guess.
  for (auto kind : {SubscriptionKind::webhook, SubscriptionKind::wecom, SubscriptionKind::dingtalk,
                    SubscriptionKind::feishu}) {
    if (text == to_string(kind)) return kind;
  }
  return std::nullopt;
}

bool subscription_wants(const Subscription& subscription, const std::string& type,
                        const std::string& case_agency) {
  if (!subscription.enabled) return false;
  if (subscription.agency && *subscription.agency != case_agency) return false;
  const auto& events = subscription.events;
  return std::any_of(events.begin(), events.end(),
                     [&](const std::string& wanted) { return wanted == "*" || wanted == type; });
}

std::string new_webhook_secret() {
  std::array<unsigned char, 24> key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
    throw std::runtime_error("no randomness for a webhook secret");
  std::array<unsigned char, 4 * 24 / 3 + 1> text{};
  int n = EVP_EncodeBlock(text.data(), key.data(), static_cast<int>(key.size()));
  return "whsec_" + std::string(reinterpret_cast<const char*>(text.data()), static_cast<size_t>(n));
}

bool is_subscribable_event(std::string_view name) {
  const auto& known = notification_types();
  return name == "*" || std::find(known.begin(), known.end(), name) != known.end();
}

}  // namespace disclose
