// disclose agency add | list; user add | list-free; audit verify
#include <iostream>

#include <boost/json.hpp>

#include "disclose/commands.h"

namespace disclose::cli {

void add_admin_commands(CLI::App& app, Context& context, Io& io) {
  auto* agency = app.add_subcommand("agency", "agencies (机关)");
  agency->require_subcommand(1);
  auto* agency_add = agency->add_subcommand("add", "add an agency");
  auto code = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto short_name = std::make_shared<std::string>();
  agency_add->add_option("code", *code, "short code, e.g. zrzy")->required();
  agency_add->add_option("--name", *name, "full name, e.g. 区自然资源局")->required();
  agency_add->add_option("--short", *short_name, "name used in case numbers (default: the code)");
  agency_add->callback([&context, &io, code, name, short_name] {
    if (code->empty() || code->size() > 64) throw CliError(2, "agency code: 1 to 64 characters");
    for (char c : *code) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
        throw CliError(2, "agency code: letters, digits, '_' and '-' only");
    }
    if (name->empty()) throw CliError(2, "--name: must not be empty");
    try {
      context.store().add_agency({*code, *name, short_name->empty() ? *code : *short_name});
    } catch (const StoreError& e) {
      throw CliError(1, e.what());
    }
    io.out << "agency " << *code << " added\n";
  });
  agency->add_subcommand("list", "list agencies")->callback([&context, &io] {
    for (const auto& a : context.store().agencies())
      io.out << a.code << "\t" << a.name << "\t" << a.short_name << "\n";
  });

  auto* user = app.add_subcommand("user", "staff users");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "add a user and print a new API token");
  auto user_name = std::make_shared<std::string>();
  auto role = std::make_shared<std::string>();
  auto user_agency = std::make_shared<std::string>();
  auto scope = std::make_shared<std::string>();
  user_add->add_option("--name", *user_name, "display name")->required();
  user_add->add_option("--role", *role, "registrar|handler|reviewer|supervisor|auditor|admin")
      ->required()
      ->check(
          CLI::IsMember({"registrar", "handler", "reviewer", "supervisor", "auditor", "admin"}));
  user_add->add_option("--agency", *user_agency, "agency code")->required();
  user_add->add_option("--scope", *scope, "'all' to see every agency")
      ->check(CLI::IsMember({"all"}));
  user_add->callback([&context, &io, user_name, role, user_agency, scope] {
    if (user_name->empty()) throw CliError(2, "--name: must not be empty");
    if (!context.store().find_agency(*user_agency))
      throw CliError(1, "--agency: no agency '" + *user_agency + "'");
    User u;
    u.name = *user_name;
    u.role = *role;
    u.agency = *user_agency;
    u.scope_all = *scope == "all";
    User stored = context.store().add_user(u);
    std::string token = context.store().issue_token(stored.id).token;
    io.out << "user " << stored.id << " (" << stored.name << ", " << stored.role << ", "
           << stored.agency << (stored.scope_all ? ", scope all" : "") << ")\n";
    io.out << "token " << token << "\n";
    io.err << "the token is shown only now; store it safely\n";
  });

  auto* user_token = user->add_subcommand("token", "issue another API token for a user");
  auto token_user = std::make_shared<long long>(0);
  user_token->add_option("id", *token_user, "user id")->required()->check(CLI::PositiveNumber);
  user_token->callback([&context, &io, token_user] {
    auto found = context.store().find_user(*token_user);
    if (!found || !found->active)
      throw CliError(1, "no active user " + std::to_string(*token_user));
    io.out << "token " << context.store().issue_token(found->id).token << "\n";
  });
  user->add_subcommand("list", "list users")->callback([&context, &io] {
    for (const auto& u : context.store().users())
      io.out << u.id << "\t" << u.name << "\t" << u.role << "\t" << u.agency
             << (u.scope_all ? "\tscope all" : "") << (u.active ? "" : "\tinactive") << "\n";
  });

  auto* audit = app.add_subcommand("audit", "the tamper-evident event log");
  audit->require_subcommand(1);
  audit->add_subcommand("verify", "check every hash link; name the first broken one")
      ->callback([&context, &io] {
        AuditReport report = context.store().verify_audit();
        if (!report.ok) {
          io.out << "BROKEN after " << report.events_checked
                 << " event(s): " << (report.first_break ? report.first_break->str() : "unknown")
                 << "\n";
          throw CliError(1, "audit chain broken");
        }
        io.out << "ok: " << report.events_checked << " event(s) in " << report.cases_checked
               << " case(s); head " << report.head_hash << "\n";
      });
}

}  // namespace disclose::cli
