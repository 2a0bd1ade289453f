// disclose agency add | list; user add | token | passwd | list; audit verify
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "auth/password_hash.h"
#include "disclose/audit.h"
#include "disclose/commands.h"

namespace disclose::cli {

namespace {

// Console logins: ASCII letters, digits, '.', '_' and '-', 1 to 64 of them.
void check_login(const std::string& login) {
  if (login.empty() || login.size() > 64) throw CliError(2, "--login: 1 to 64 characters");
  for (char c : login)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      throw CliError(2, "--login: ASCII letters, digits, '.', '_' and '-' only");
}

// One line without its line ending; false at end of input.
bool read_line(std::istream& in, std::string& line) {
  if (!std::getline(in, line)) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

// Prompts on the terminal with echo off; restores the terminal whatever happens.
std::string prompt_hidden(const char* prompt, Io& io) {
  termios saved{};
  if (tcgetattr(STDIN_FILENO, &saved) != 0) throw CliError(2, "cannot read the terminal");
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  io.err << prompt << std::flush;
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  std::string line;
  bool got = read_line(std::cin, line);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  io.err << "\n";
  if (!got) throw CliError(2, "no password given");
  return line;
}

// The new password: one line of stdin with --password-stdin, else asked twice on the terminal.
std::string new_password(bool from_stdin, Io& io) {
  std::string password;
  if (from_stdin) {
    if (!read_line(io.in, password)) throw CliError(2, "--password-stdin: no line on stdin");
  } else {
    if (!isatty(STDIN_FILENO))
      throw CliError(2, "stdin is not a terminal: give the password with --password-stdin");
    password = prompt_hidden("new password: ", io);
    if (prompt_hidden("again: ", io) != password) throw CliError(2, "the passwords differ");
  }
  std::string problem = auth::password_problem(password);
  if (!problem.empty()) throw CliError(2, "password: " + problem);
  return password;
}

}  // namespace

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
  auto add_login = std::make_shared<std::string>();
  user_add->add_option("--name", *user_name, "display name")->required();
  user_add->add_option("--role", *role, "registrar|handler|reviewer|supervisor|auditor|admin")
      ->required()
      ->check(
          CLI::IsMember({"registrar", "handler", "reviewer", "supervisor", "auditor", "admin"}));
  user_add->add_option("--agency", *user_agency, "agency code")->required();
  user_add->add_option("--scope", *scope, "'all' to see every agency")
      ->check(CLI::IsMember({"all"}));
  user_add->add_option("--login", *add_login,
                       "sign-in name for the web console (set a password with `user passwd`)");
  user_add->callback([&context, &io, user_name, role, user_agency, scope, add_login] {
    if (user_name->empty()) throw CliError(2, "--name: must not be empty");
    if (!add_login->empty()) check_login(*add_login);
    if (!context.store().find_agency(*user_agency))
      throw CliError(1, "--agency: no agency '" + *user_agency + "'");
    User u;
    u.name = *user_name;
    u.role = *role;
    u.agency = *user_agency;
    u.scope_all = *scope == "all";
    u.login = *add_login;
    User stored;
    try {
      stored = context.store().add_user(u);
    } catch (const LoginTaken& e) {
      throw CliError(1, std::string("--login: ") + e.what());
    }
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
  auto* passwd = user->add_subcommand(
      "passwd", "set a user's console password (and login); ends the user's sessions");
  auto passwd_user = std::make_shared<long long>(0);
  auto passwd_login = std::make_shared<std::string>();
  auto from_stdin = std::make_shared<bool>(false);
  passwd->add_option("id", *passwd_user, "user id")->required()->check(CLI::PositiveNumber);
  passwd->add_option("--login", *passwd_login, "set the sign-in name too");
  passwd->add_flag("--password-stdin", *from_stdin, "read the password as one line of stdin");
  passwd->callback([&context, &io, passwd_user, passwd_login, from_stdin] {
    if (!passwd_login->empty()) check_login(*passwd_login);
    auto found = context.store().find_user(*passwd_user);
    if (!found) throw CliError(1, "no user " + std::to_string(*passwd_user));
    std::string login = passwd_login->empty() ? found->login : *passwd_login;
    if (login.empty())
      throw CliError(2, "user " + std::to_string(found->id) + " has no login yet: give --login");
    // Refuse a taken login before asking for the password.
    if (auto holder = context.store().credentials_by_login(login);
        holder && holder->user.id != found->id)
      throw CliError(
          1, "--login: login '" + login + "' is taken by user " + std::to_string(holder->user.id));
    std::string hash = auth::hash_password(new_password(*from_stdin, io));
    try {
      context.store().set_login_password(
          found->id, passwd_login->empty() ? std::nullopt : std::optional(login), hash);
    } catch (const LoginTaken& e) {
      throw CliError(1, std::string("--login: ") + e.what());
    }
    io.out << "password set for user " << found->id << " (login " << login
           << "); their sessions were ended\n";
  });
  user->add_subcommand("list", "list users")->callback([&context, &io] {
    for (const auto& u : context.store().users())
      io.out << u.id << "\t" << u.name << "\t" << u.role << "\t" << u.agency
             << (u.scope_all ? "\tscope all" : "") << (u.active ? "" : "\tinactive")
             << (u.login.empty() ? "" : "\tlogin " + u.login) << "\n";
  });

  auto* audit = app.add_subcommand("audit", "the tamper-evident event log");
  audit->require_subcommand(1);
  auto anchor_texts = std::make_shared<std::vector<std::string>>();
  auto* verify =
      audit->add_subcommand("verify", "check every hash link; name the first broken one");
  verify->add_option("--anchor", *anchor_texts,
                     "SEQ:HASH, a head printed by an earlier 'audit verify' and kept elsewhere: "
                     "the log must still hold it (repeatable)");
  verify->callback([&context, &io, anchor_texts] {
    std::vector<AuditAnchor> anchors;
    for (const std::string& text : *anchor_texts) {
      auto anchor = parse_audit_anchor(text);
      if (!anchor)
        throw CliError(2,
                       "--anchor: expected SEQ:HASH (a whole number, a colon and 64 hex "
                       "digits), got '" +
                           text + "'");
      anchors.push_back(*anchor);
    }
    AuditReport report = context.store().verify_audit(anchors);
    if (!report.ok) {
      io.out << "BROKEN after " << report.events_checked
             << " event(s): " << (report.first_break ? report.first_break->str() : "unknown")
             << "\n";
      throw CliError(1, "audit chain broken");
    }
    // The head is printed as an anchor, ready to be kept outside the database.
    io.out << "ok: " << report.events_checked << " event(s) in " << report.cases_checked
           << " case(s); head " << AuditAnchor{report.head_seq, report.head_hash}.str();
    if (!anchors.empty()) io.out << "; " << report.anchors_matched << " anchor(s) hold";
    io.out << "\n";
  });
}

}  // namespace disclose::cli
