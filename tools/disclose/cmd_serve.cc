// disclose serve: the staff HTTP API on one io_context until SIGINT/SIGTERM.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <iostream>

#include "disclose/commands.h"
#include "disclose/config.h"
#include "http/api/api.h"
#include "http/api/openapi.h"
#include "http/server.h"

namespace disclose::cli {

namespace {

// JSON-lines logging: the server's access-log lines are JSON objects already and pass through;
// every other message is wrapped as {"ts","level","msg"} so each line parses on its own.
class JsonLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string_view payload(msg.payload.data(), msg.payload.size());
    if (!payload.empty() && payload.front() == '{') {
      dest.append(payload.data(), payload.data() + payload.size());
    } else {
      auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(msg.time);
      std::string line = boost::json::serialize(boost::json::object{
          {"ts", format_instant(Instant{seconds.time_since_epoch()}, 0)},
          {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                spdlog::level::to_string_view(msg.level).size())},
          {"msg", payload}});
      dest.append(line.data(), line.data() + line.size());
    }
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLineFormatter>();
  }
};

void configure_logging(const ServeConfig& config) {
  auto logger = spdlog::stderr_logger_mt("disclose");
  if (config.server.json_log) {
    logger->set_formatter(std::make_unique<JsonLineFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
  }
  logger->set_level(spdlog::level::from_str(config.log_level));
  spdlog::set_default_logger(logger);
}

}  // namespace

void add_serve_command(CLI::App& app, Context& context, Io& io) {
  auto* serve = app.add_subcommand("serve", "run the staff HTTP API");
  auto config_file = std::make_shared<std::string>();
  auto listen = std::make_shared<std::string>();
  auto db = std::make_shared<std::string>();
  serve->add_option("--config", *config_file, "YAML configuration file (README.md lists the keys)");
  serve->add_option("--listen", *listen, "ADDR:PORT (default 127.0.0.1:8080; port 0 picks one)");
  serve->add_option("--db", *db, "SQLite database (overrides the global --db and the file)");
  serve->callback([&app, &context, &io, config_file, listen, db] {
    // Precedence: serve's flags, then the global --db, then the file, then the defaults.
    ServeConfig config;
    try {
      if (!config_file->empty()) config = load_serve_config(*config_file, config);
      if (!listen->empty()) apply_listen(*listen, config.server, "--listen");
    } catch (const ConfigError& e) {
      throw CliError(2, e.what());
    }
    if (app.get_option("--db")->count() > 0) config.db = context.options().db_path;
    if (!db->empty()) config.db = *db;

    GlobalOptions options = context.options();
    options.db_path = config.db;
    options.synchronous = config.sqlite_synchronous;
    if (!config.workflows.empty() && options.workflows_dir.empty())
      options.workflows_dir = config.workflows;
    Context serving(options);
    configure_logging(config);

    Store& store = serving.store();
    const Engine& engine = serving.engine();
    SystemTimeSource clock(config.utc_offset_minutes);
    http::Metrics metrics;
    http::Api api(store, engine, clock, metrics, http::ApiOptions{http::openapi_json()});

    boost::asio::io_context ioc;
    std::unique_ptr<http::Server> server;
    try {
      server = std::make_unique<http::Server>(ioc, config.server, api, metrics);
    } catch (const std::exception& e) {
      throw CliError(1, "cannot listen on " + config.server.address + ":" +
                            std::to_string(config.server.port) + ": " + e.what());
    }
    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      spdlog::info("signal {}: finishing requests in flight, then stopping", signal);
      server->stop();
    });
    std::string scheme = config.server.tls_certificate.empty() ? "http" : "https";
    io.out << "disclose: listening on " << scheme << "://" << config.server.address << ":"
           << server->port() << " (database " << config.db << ", workflows "
           << serving.workflows_dir() << ", calendar " << engine.calendar().version() << ")"
           << std::endl;
    spdlog::info("listening on {}:{}", config.server.address, server->port());
    ioc.run();
    signals.cancel();
    // A second signal after a clean stop must not turn exit status 0 into 143.
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGTERM, SIG_IGN);
    spdlog::info("stopped");
    io.out << "disclose: stopped" << std::endl;
  });
}

}  // namespace disclose::cli
