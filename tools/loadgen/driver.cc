#include "loadgen/driver.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>

#include <sys/resource.h>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "loadgen/lifecycle.h"
#include "loadgen/record_log.h"
#include "loadgen/run_stats.h"

namespace loadgen {

namespace asio = boost::asio;
namespace json = boost::json;
using verb = boost::beast::http::verb;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
const std::string kApi = "/api/v1";

// The business date `days_back` days before today in China (UTC+08:00, the server's default
// zone). The lifecycle dates its acts on the day before today, so that a server in another zone
// never finds them in the future.
std::string china_date(int days_back) {
  using namespace std::chrono;
  auto local = system_clock::now() + hours(8);
  auto day = floor<days>(local) - days(days_back);
  year_month_day ymd{day};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()));
  return text;
}

struct SetupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Staff {
  std::string agency;
  std::string registrar, handler, reviewer, supervisor;
  int64_t handler_id = 0;

  const std::string& token(Role role) const {
    switch (role) {
      case Role::registrar:
        return registrar;
      case Role::handler:
        return handler;
      case Role::reviewer:
        return reviewer;
      case Role::supervisor:
        return supervisor;
    }
    return registrar;
  }
};

// What every connection shares. Written before the connections start, except the atomics, the
// case list (filled while populating, under its mutex) and the record log (locks itself).
struct Shared {
  const Options& options;
  Staff staff;
  RecordLog record;
  std::mutex case_ids_mutex;
  std::vector<int64_t> case_ids;
  std::atomic<int64_t> tickets{0};    // requests claimed in the measured run
  std::atomic<int64_t> slots{0};      // places on the open-loop timetable taken
  std::atomic<int64_t> populated{0};  // registrations claimed while populating
  std::atomic<uint64_t> serial{0};    // numbers the applicants
  SteadyClock::time_point start{};
  SteadyClock::time_point end{};
  std::chrono::nanoseconds interval{};  // between scheduled reads (open loop)
  bool populating = false;

  Shared(const Options& o) : options(o), record(o.record_file) {}
};

int64_t parse_version(const std::string& etag) {
  try {
    return std::stoll(etag);
  } catch (const std::exception&) {
    return 0;
  }
}

// One connection and the coroutines that drive it.
class Worker {
 public:
  Worker(Shared& shared, int index, asio::any_io_executor executor)
      : shared_(shared),
        index_(index),
        connection_(std::move(executor), shared.options.target, shared.options.timeout),
        rng_(shared.options.seed * 7919 + uint64_t(index)) {}

  RunStats stats;
  SteadyClock::time_point finished{};

  asio::awaitable<void> populate();
  asio::awaitable<void> run();

 private:
  // Claims one request of the run's budget: its ticket number, or nothing when the run is over.
  std::optional<int64_t> claim();
  // Sends a request and counts what came back. Latency runs from `scheduled` (the timetable's
  // moment in an open-loop run) or from now.
  asio::awaitable<Exchange> request(verb method, const std::string& path, const std::string& token,
                                    const std::string& body, const std::string& if_match,
                                    bool write,
                                    std::optional<SteadyClock::time_point> scheduled = {});
  void count_unexpected(const Exchange& exchange, const std::string& what);

  asio::awaitable<void> lifecycle_loop();
  asio::awaitable<void> read_loop(int overdue_every);

  struct LiveCase {
    int64_t id = 0;
    int64_t version = 0;
    std::string state;
    CasePlan plan;
    std::string on;
  };
  asio::awaitable<std::optional<LiveCase>> register_case(const std::string& on);
  asio::awaitable<void> drive(LiveCase& c);
  asio::awaitable<bool> resync(LiveCase& c);
  bool chance(double share) { return std::uniform_real_distribution<double>(0, 1)(rng_) < share; }

  Shared& shared_;
  int index_;
  Connection connection_;
  std::mt19937_64 rng_;
};

std::optional<int64_t> Worker::claim() {
  const Options& o = shared_.options;
  if (shared_.populating) return 0;
  if (o.requests > 0) {
    int64_t ticket = shared_.tickets.fetch_add(1);
    if (ticket >= o.requests) return std::nullopt;
    return ticket;
  }
  if (SteadyClock::now() >= shared_.end) return std::nullopt;
  return shared_.tickets.fetch_add(1);
}

void Worker::count_unexpected(const Exchange& exchange, const std::string& what) {
  ++stats.unexpected;
  if (stats.first_unexpected.empty())
    stats.first_unexpected =
        what + " -> " + std::to_string(exchange.status) + " " + exchange.body.substr(0, 300);
}

asio::awaitable<Exchange> Worker::request(verb method, const std::string& path,
                                          const std::string& token, const std::string& body,
                                          const std::string& if_match, bool write,
                                          std::optional<SteadyClock::time_point> scheduled) {
  auto started = scheduled.value_or(SteadyClock::now());
  ++stats.requests;
  Exchange exchange = co_await connection_.send(method, path, token, body, if_match);
  switch (exchange.outcome) {
    case Exchange::Outcome::not_sent:
      ++stats.not_sent;
      co_return exchange;
    case Exchange::Outcome::unknown:
      ++stats.unknown;
      co_return exchange;
    case Exchange::Outcome::response:
      break;
  }
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started).count();
  (write ? stats.writes : stats.reads).record(micros);
  ++stats.by_status[exchange.status];
  if (write && exchange.status >= 200 && exchange.status < 300) ++stats.writes_acknowledged;
  if (exchange.status == 409) {
    if (exchange.body.find("\"version_conflict\"") != std::string::npos)
      ++stats.version_conflicts;
    else
      ++stats.state_conflicts;
  } else if (exchange.status >= 400) {
    count_unexpected(exchange, std::string(boost::beast::http::to_string(method)) + " " + path);
  }
  co_return exchange;
}

asio::awaitable<std::optional<Worker::LiveCase>> Worker::register_case(const std::string& on) {
  std::string body = registration_json(shared_.staff.agency, on, shared_.serial.fetch_add(1) + 1);
  Exchange ex =
      co_await request(verb::post, kApi + "/cases", shared_.staff.registrar, body, "", true);
  // A registration without an answer may or may not exist; either way it is not ours to drive.
  if (!ex.ok() || ex.status != 201) co_return std::nullopt;
  LiveCase c;
  try {
    c.id = json::parse(ex.body).as_object().at("id").to_number<int64_t>();
  } catch (const std::exception&) {
    count_unexpected(ex, "POST /cases: no case id in the answer");
    co_return std::nullopt;
  }
  c.version = parse_version(ex.etag);
  c.state = "registered";
  c.on = on;
  ++stats.cases_registered;
  shared_.record.write("POST", kApi + "/cases", c.id, c.version, "register");
  co_return c;
}

asio::awaitable<void> Worker::populate() {
  const Options& o = shared_.options;
  std::string recent = china_date(1), old = china_date(60);
  while (shared_.populated.fetch_add(1) < o.cases) {
    bool overdue = o.scenario != "read" && chance(0.5);
    auto c = co_await register_case(overdue ? old : recent);
    if (!c) throw SetupError("registering a case failed: " + stats.first_unexpected);
    std::lock_guard lock(shared_.case_ids_mutex);
    shared_.case_ids.push_back(c->id);
  }
}

// Reads the case back after an answer that did not move it as planned (or no answer at all).
asio::awaitable<bool> Worker::resync(LiveCase& c) {
  std::string path = kApi + "/cases/" + std::to_string(c.id);
  for (;;) {
    if (!claim()) co_return false;
    Exchange ex = co_await request(verb::get, path, shared_.staff.registrar, "", "", false);
    if (!ex.ok()) continue;  // the server is away: try again (the connection waits between tries)
    if (ex.status != 200) co_return false;
    try {
      c.state = std::string(json::parse(ex.body).as_object().at("state").as_string());
    } catch (const std::exception&) {
      count_unexpected(ex, "GET " + path + ": no state in the answer");
      co_return false;
    }
    c.version = parse_version(ex.etag);
    co_return true;
  }
}

asio::awaitable<void> Worker::drive(LiveCase& c) {
  StepContext context{c.on, shared_.staff.handler_id};
  int refused = 0;
  for (;;) {
    std::optional<Step> step = next_step(c.state, c.plan, context);
    if (!step) {
      if (c.state == "archived")
        ++stats.cases_archived;
      else
        ++stats.cases_abandoned;
      co_return;
    }
    if (!claim()) co_return;
    std::string path = kApi + "/cases/" + std::to_string(c.id) + "/actions/" + step->action;
    Exchange ex = co_await request(verb::post, path, shared_.staff.token(step->role), step->input,
                                   std::to_string(c.version), true);
    if (ex.ok() && ex.status == 200) {
      c.version = parse_version(ex.etag);
      c.state = step->next_state;
      c.plan.applied(step->action);
      shared_.record.write("POST", path, c.id, c.version, step->action);
      refused = 0;
      continue;
    }
    // A refusal that repeats is a disagreement between this lifecycle and the workflow: give
    // the case up rather than loop on it.
    if (ex.ok() && ++refused >= 5) {
      ++stats.cases_abandoned;
      co_return;
    }
    int64_t sent_at = c.version;
    if (!co_await resync(c)) {
      if (claim()) ++stats.cases_abandoned;
      co_return;
    }
    // An unanswered action that the case shows applied was applied (not acknowledged, so it is
    // not recorded), and its detour is done.
    if (!ex.ok() && c.version > sent_at) c.plan.applied(step->action);
  }
}

asio::awaitable<void> Worker::lifecycle_loop() {
  const Options& o = shared_.options;
  std::string recent = china_date(1), old = china_date(60);
  for (;;) {
    if (!claim()) co_return;
    bool overdue = chance(o.overdue_share);
    auto c = co_await register_case(overdue ? old : recent);
    if (!c) continue;
    c->plan.correction = chance(o.correction_share);
    c->plan.extension = chance(o.extension_share);
    co_await drive(*c);
  }
}

// Closed loop: the next request goes when the previous answer is in. Open loop (--rate): request
// k is due at start + k·interval whatever happened before, and its latency counts from then, so
// a stalled server shows as latency instead of as fewer requests (no coordinated omission).
asio::awaitable<void> Worker::read_loop(int overdue_every) {
  const Options& o = shared_.options;
  const std::vector<int64_t>& ids = shared_.case_ids;
  std::uniform_int_distribution<size_t> pick(0, ids.size() - 1);
  const std::string& token = shared_.staff.reviewer;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (int64_t n = 0;; ++n) {
    if (!claim()) co_return;
    std::optional<SteadyClock::time_point> scheduled;
    if (o.rate > 0) {
      scheduled = shared_.start + shared_.interval * shared_.slots.fetch_add(1);
      if (o.requests == 0 && *scheduled >= shared_.end) co_return;
      if (*scheduled > SteadyClock::now()) {
        timer.expires_at(*scheduled);
        co_await timer.async_wait(kAwait);
      }
    }
    bool overdue_page = overdue_every > 0 && (overdue_every == 1 || n % overdue_every == 0);
    std::string path = overdue_page ? kApi + "/cases?overdue=true"
                                    : kApi + "/cases/" + std::to_string(ids[pick(rng_)]);
    co_await request(verb::get, path, token, "", "", false, scheduled);
  }
}

asio::awaitable<void> Worker::run() {
  const std::string& scenario = shared_.options.scenario;
  if (scenario == "lifecycle") {
    co_await lifecycle_loop();
  } else if (scenario == "read") {
    co_await read_loop(0);
  } else if (scenario == "overdue") {
    co_await read_loop(1);
  } else {  // mixed: a quarter of the connections write, the rest read (one in ten a list)
    if (index_ % 4 == 0)
      co_await lifecycle_loop();
    else
      co_await read_loop(10);
  }
  finished = SteadyClock::now();
}

// --- setup: an agency and its staff, created with the admin token ------------------------------

asio::awaitable<json::object> post_json(Connection& connection, const std::string& path,
                                        const std::string& token, const json::object& body) {
  Exchange ex = co_await connection.send(verb::post, path, token, json::serialize(body));
  if (!ex.ok()) throw SetupError("POST " + path + ": " + ex.error);
  if (ex.status != 201)
    throw SetupError("POST " + path + ": " + std::to_string(ex.status) + " " + ex.body);
  co_return json::parse(ex.body).as_object();
}

asio::awaitable<Staff> create_staff(const Options& o) {
  Connection connection(co_await asio::this_coro::executor, o.target, o.timeout);
  Staff staff;
  // A fresh agency per run, so runs can follow one another on the same database.
  auto now = std::chrono::system_clock::now().time_since_epoch();
  staff.agency =
      "loadgen-" +
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()) + "-" +
      std::to_string(o.seed);
  // The short name goes into case numbers (YEAR-SHORT-N), which must be unique across agencies.
  json::object agency{{"code", staff.agency},
                      {"name", "压测机关 " + staff.agency},
                      {"short_name", "压测" + staff.agency.substr(std::string("loadgen").size())}};
  co_await post_json(connection, kApi + "/agencies", o.token, agency);
  // (A loop over strings rather than literals in co_await expressions: GCC 12 miscompiles those.)
  const std::vector<std::pair<std::string, std::string>> roles = {{"registrar", "压测登记员"},
                                                                  {"handler", "压测承办人"},
                                                                  {"reviewer", "压测审核人"},
                                                                  {"supervisor", "压测负责人"}};
  for (const auto& [role, name] : roles) {
    json::object body{{"name", name}, {"role", role}, {"agency", staff.agency}};
    json::object answer = co_await post_json(connection, kApi + "/users", o.token, body);
    std::string token(answer.at("token").as_string());
    if (role == "registrar") staff.registrar = token;
    if (role == "reviewer") staff.reviewer = token;
    if (role == "supervisor") staff.supervisor = token;
    if (role == "handler") {
      staff.handler = token;
      staff.handler_id = answer.at("user").as_object().at("id").to_number<int64_t>();
    }
  }
  co_return staff;
}

// Runs `make(worker)` on every worker with `threads` threads until all are done. Returns the
// first exception's message, or "".
template <typename Make>
std::string run_workers(asio::io_context& io, std::vector<std::unique_ptr<Worker>>& workers,
                        int threads, Make make) {
  std::mutex mutex;
  std::string failure;
  for (auto& worker : workers)
    asio::co_spawn(io, make(*worker), [&](std::exception_ptr e) {
      if (!e) return;
      std::lock_guard lock(mutex);
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        if (failure.empty()) failure = ex.what();
      }
    });
  std::vector<std::thread> extra;
  for (int i = 1; i < threads; ++i) extra.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : extra) t.join();
  io.restart();
  return failure;
}

}  // namespace

int run(const Options& o, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Shared> shared;
  try {
    shared = std::make_unique<Shared>(o);
  } catch (const std::exception& e) {
    err << "loadgen: " << e.what() << "\n";
    return 2;
  }
  asio::io_context io(o.threads);

  std::string failure;
  asio::co_spawn(io, create_staff(o), [&](std::exception_ptr e, Staff staff) {
    if (!e) {
      shared->staff = std::move(staff);
      return;
    }
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      failure = ex.what();
    }
  });
  io.run();
  io.restart();
  if (!failure.empty()) {
    err << "loadgen: setup failed: " << failure << "\n";
    return 2;
  }

  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < o.connections; ++i)
    workers.push_back(std::make_unique<Worker>(*shared, i, io.get_executor()));

  if (o.scenario != "lifecycle") {
    shared->populating = true;
    failure = run_workers(io, workers, o.threads, [](Worker& w) { return w.populate(); });
    shared->populating = false;
    if (!failure.empty()) {
      err << "loadgen: setup failed: " << failure << "\n";
      return 2;
    }
    for (auto& w : workers) w->stats = RunStats{};
  }
  out << "loadgen: scenario " << o.scenario << ", agency " << shared->staff.agency << ", "
      << o.connections << " connections, " << o.threads << " thread(s)";
  if (o.scenario != "lifecycle") out << ", " << shared->case_ids.size() << " cases to read";
  if (o.rate > 0) out << ", open loop at " << o.rate << " reads/s";
  out << std::endl;
  err << "loadgen: ready" << std::endl;

  shared->start = SteadyClock::now();
  shared->end = shared->start + std::chrono::duration_cast<SteadyClock::duration>(
                                    std::chrono::duration<double>(o.duration_seconds));
  if (o.rate > 0) shared->interval = std::chrono::nanoseconds(int64_t(1e9 / o.rate));
  failure = run_workers(io, workers, o.threads, [](Worker& w) { return w.run(); });

  RunStats total;
  SteadyClock::time_point last = shared->start;
  for (auto& w : workers) {
    total.merge(w->stats);
    last = std::max(last, w->finished);
  }
  double seconds = std::chrono::duration<double>(last - shared->start).count();
  print_report(out, total, seconds);
  // The generator shares the machine with the server: say how much of it the generator took.
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  double cpu = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
               double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  char cpu_text[64];
  std::snprintf(cpu_text, sizeof cpu_text, "%.2f s (setup included)", cpu);
  out << "loadgen cpu " << cpu_text << "\n";
  if (!failure.empty()) {
    err << "loadgen: a connection failed: " << failure << "\n";
    return 1;
  }
  bool failed = total.unexpected > 0 || total.server_errors() > 0;
  if (!o.expect_disconnects && (total.not_sent > 0 || total.unknown > 0)) failed = true;
  return failed ? 1 : 0;
}

}  // namespace loadgen
