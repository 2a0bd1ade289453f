// disclose serve: the staff HTTP API on one io_context until SIGINT/SIGTERM.
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

#include "console/console_handler.h"
#include "disclose/buffered_log_sink.h"
#include "disclose/calendar_gate.h"
#include "disclose/calendar_import.h"
#include "disclose/commands.h"
#include "disclose/config.h"
#include "http/api/api.h"
#include "http/api/openapi.h"
#include "http/server.h"
#include "notify/outbox_dispatcher.h"
#include "scheduler/housekeeping.h"
#include "scheduler/timer_loop.h"
#include "scheduler/write_wakeups.h"

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
  auto logger = std::make_shared<spdlog::logger>("disclose",
                                                 std::make_shared<BufferedLogSink>(STDERR_FILENO));
  if (config.server.json_log) {
    logger->set_formatter(std::make_unique<JsonLineFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
  }
  logger->set_level(spdlog::level::from_str(config.log_level));
  // Lines are written in batches (buffered_log_sink.h): a warning or an error goes out at once
  // with everything before it, the rest within a second.
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

}  // namespace

void add_serve_command(CLI::App& app, Context& context, Io& io) {
  auto* serve = app.add_subcommand("serve", "run the staff HTTP API and web console");
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
    options.public_url = config.public_url;
    if (!config.workflows.empty() && options.workflows_dir.empty())
      options.workflows_dir = config.workflows;
    Context serving(options);
    configure_logging(config);

    Store& store = serving.store();
    const Engine& engine = serving.engine();
    SystemTimeSource clock(config.utc_offset_minutes);
    http::Metrics metrics;
    // `ioc` runs the HTTP server and the case actions; other requests run on its handler threads.
    boost::asio::io_context ioc;
    // Background work on an io_context and a thread of its own: the timer loop fires reminders
    // and expiries; the dispatcher delivers the outbox. Both call the store, and a store write
    // waits for its group's commit (an fsync): on the server's io thread that wait would hold up
    // every connection. Both read their state from the database, so a restart (or a crash)
    // loses nothing: due timers fire at start, leased notifications are retried.
    boost::asio::io_context background;
    auto background_work = boost::asio::make_work_guard(background);
    TimerService& timers = serving.timers();
    notify::DispatcherOptions dispatch_options;
    dispatch_options.max_in_flight = config.notifications.max_in_flight;
    dispatch_options.max_in_flight_per_subscription =
        config.notifications.max_in_flight_per_subscription;
    dispatch_options.request_timeout = std::chrono::seconds(config.notifications.timeout_seconds);
    dispatch_options.lease = std::chrono::seconds(config.notifications.lease_seconds);
    dispatch_options.retry.base = std::chrono::seconds(config.notifications.retry_base_seconds);
    dispatch_options.retry.cap = std::chrono::seconds(config.notifications.retry_cap_seconds);
    dispatch_options.retry.give_up_after = std::chrono::hours(config.notifications.give_up_hours);
    auto random01 = [engine = std::mt19937_64(std::random_device{}())]() mutable {
      return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
    };
    notify::OutboxDispatcher dispatcher(background, store, clock, dispatch_options, random01);
    // Requests (on the handler threads) and timer rounds share the calendar gate; a calendar
    // import takes it alone (calendar_gate.h). The gate wraps the console below.
    SharedGate calendar_lock;
    scheduler::TimerLoopOptions loop_options{std::chrono::seconds(config.timers.sweep_seconds)};
    loop_options.round_lock = &calendar_lock;
    scheduler::TimerLoop timer_loop(background, store, timers, clock, loop_options,
                                    [&dispatcher](const FireReport&) { dispatcher.wake(); });
    // Forgets idempotency records past their retention: at start, then hourly (not at all with
    // a retention of 0).
    scheduler::Housekeeping housekeeping(
        background, store, clock,
        {std::chrono::hours(config.idempotency_retention_hours), std::chrono::hours(1)});
    // A case write may plan a timer earlier than the loop's next look, or queue notifications:
    // the store tells the loops once it has committed, on their thread, and the writes of one
    // commit group with one wake-up (write_wakeups.h). Writes that change neither cost nothing.
    store.set_case_write_hook(timers.write_hook());
    scheduler::WriteWakeups write_wakeups(
        background,
        [&timer_loop, &dispatcher](std::optional<Instant> earliest, bool queued) {
          if (earliest) timer_loop.wake_if_before(*earliest);
          if (queued) dispatcher.wake();
        },
        [&timer_loop](Instant fire_at) { return timer_loop.needs_wake_for(fire_at); });
    store.set_case_written_observer(
        [&write_wakeups](const CaseWriteEffects& written) { write_wakeups.observe(written); });

    http::ApiOptions api_options;
    api_options.openapi_json = http::openapi_json();
    api_options.notifications_queued = [&dispatcher] { dispatcher.wake(); };
    api_options.extra_gauges = [&dispatcher, &timer_loop, &housekeeping] {
      notify::DispatcherStats stats = dispatcher.stats();
      return std::vector<std::pair<std::string, double>>{
          {"disclose_notifications_delivered_total", double(stats.delivered)},
          {"disclose_notifications_retried_total", double(stats.retried)},
          {"disclose_notifications_dead_total", double(stats.dead)},
          {"disclose_notifications_in_flight", double(stats.in_flight)},
          {"disclose_timer_rounds_total", double(timer_loop.rounds())},
          {"disclose_idempotency_records_purged_total", double(housekeeping.idempotency_purged())}};
    };
    api_options.secure_cookies = !config.server.tls_certificate.empty();
    // Runs alone: the CalendarGate below keeps requests and timer rounds out meanwhile. An
    // import that reached the API without the gate (traits() said its caller may not import;
    // dispatch, a moment later, found it may) refuses instead of running beside them.
    api_options.import_calendar = [&serving](const std::vector<CalendarYear>& years) {
      CalendarImportSummary summary = import_calendar_years(serving, years);
      return http::CalendarImportReport{years, summary.cases_checked, summary.cases_changed,
                                        summary.calendar_version};
    };
    api_options.holds_server_alone = [&calendar_lock] {
      return calendar_lock.held_alone_by_this_thread();
    };
    http::Api api(store, engine, clock, metrics, api_options);
    // The web console in front of the API: /api/* and the operations paths go through to it.
    console::ConsoleHandler console(api);
    CalendarGate gate(console, calendar_lock);
    std::unique_ptr<http::Server> server;
    try {
      server = std::make_unique<http::Server>(ioc, config.server, gate, metrics);
    } catch (const std::exception& e) {
      throw CliError(1, "cannot listen on " + config.server.address + ":" +
                            std::to_string(config.server.port) + ": " + e.what());
    }
    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    // Stops the loops on their own thread and lets it end once they have.
    auto stop_background = [&] {
      boost::asio::post(background, [&] {
        timer_loop.stop();
        dispatcher.stop();
        housekeeping.stop();
        background_work.reset();
      });
    };
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      spdlog::info("signal {}: finishing requests in flight, then stopping", signal);
      server->stop();
      stop_background();
    });
    if (config.timers.enabled) timer_loop.start();
    if (config.notifications.enabled) dispatcher.start();
    if (config.idempotency_retention_hours > 0) housekeeping.start();
    // Threads are named for `top -H` and profilers (the main thread keeps the process's name).
    std::thread background_thread([&background] {
      pthread_setname_np(pthread_self(), "disclose-bg");
      background.run();
    });
    std::string scheme = config.server.tls_certificate.empty() ? "http" : "https";
    io.out << "disclose: listening on " << scheme << "://" << config.server.address << ":"
           << server->port() << " (database " << config.db << ", workflows "
           << serving.workflows_dir() << ", calendar " << engine.calendar().version() << ")"
           << std::endl;
    spdlog::info("listening on {}:{}", config.server.address, server->port());
    // The server's sockets on io_threads threads (this one included); each connection keeps to
    // its own strand (server.h).
    std::vector<std::thread> io_threads;
    for (std::size_t i = 1; i < config.server.io_threads; ++i)
      io_threads.emplace_back([&ioc] {
        pthread_setname_np(pthread_self(), "disclose-io");
        ioc.run();
      });
    ioc.run();
    for (std::thread& t : io_threads) t.join();
    signals.cancel();
    stop_background();  // again, harmless, in case the server stopped without a signal
    background_thread.join();
    store.set_case_written_observer({});  // the loops are gone
    // A second signal after a clean stop must not turn exit status 0 into 143.
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGTERM, SIG_IGN);
    spdlog::info("stopped");
    spdlog::default_logger()->flush();
    io.out << "disclose: stopped" << std::endl;
  });
}

}  // namespace disclose::cli
