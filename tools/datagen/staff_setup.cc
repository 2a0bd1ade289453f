#include "datagen/staff_setup.h"

#include <algorithm>
#include <map>

#include "datagen/random.h"
#include "datagen/vocabulary.h"

namespace datagen {
namespace {

disclose::Actor actor_of(const disclose::User& user) {
  return disclose::Actor{"u:" + std::to_string(user.id), {user.role}, user.agency, false};
}

}  // namespace

std::vector<AgencyStaff> ensure_staff(disclose::Store& store,
                                      const std::vector<AgencyProfile>& agencies, uint64_t seed) {
  Rng rng(mix_seed(seed, 0x57AFFULL));
  std::vector<disclose::User> users = store.users();
  std::sort(users.begin(), users.end(),
            [](const disclose::User& a, const disclose::User& b) { return a.id < b.id; });
  std::vector<AgencyStaff> out;
  for (const AgencyProfile& profile : agencies) {
    if (!store.find_agency(profile.code))
      store.add_agency(disclose::Agency{profile.code, profile.name, profile.short_name});
    std::map<std::string, std::vector<disclose::User>> by_role;
    for (const disclose::User& user : users) {
      if (user.active && user.agency == profile.code) by_role[user.role].push_back(user);
    }
    auto staff = [&](const std::string& role, size_t wanted) {
      std::vector<disclose::User>& have = by_role[role];
      while (have.size() < wanted) {
        disclose::User user;
        user.name = person_name(rng);
        user.role = role;
        user.agency = profile.code;
        have.push_back(store.add_user(user));
      }
      return std::vector<disclose::User>(have.begin(), have.begin() + static_cast<long>(wanted));
    };
    AgencyStaff s;
    s.code = profile.code;
    s.registrar = actor_of(staff("registrar", 1).front());
    s.reviewer = actor_of(staff("reviewer", 1).front());
    s.supervisor = actor_of(staff("supervisor", 1).front());
    for (const disclose::User& handler : staff("handler", kHandlersPerAgency)) {
      s.handlers.push_back(actor_of(handler));
      s.handler_ids.push_back(std::to_string(handler.id));
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace datagen
