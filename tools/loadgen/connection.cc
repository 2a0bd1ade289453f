#include "loadgen/connection.h"

#include <fstream>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

std::string read_url_file(const std::string& path) {
  std::ifstream in(path);
  std::string url;
  std::getline(in, url);
  while (!url.empty() && (url.back() == '\r' || url.back() == ' ')) url.pop_back();
  return url;
}

}  // namespace

tcp::endpoint parse_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0)
    throw std::invalid_argument("url: expected http://HOST:PORT, got '" + url + "'");
  std::string rest = url.substr(scheme.size());
  rest = rest.substr(0, rest.find('/'));
  auto colon = rest.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("url: no port in '" + url + "'");
  boost::system::error_code ec;
  auto address = asio::ip::make_address(rest.substr(0, colon), ec);
  if (ec) throw std::invalid_argument("url: host must be an IP address in '" + url + "'");
  int port = 0;
  try {
    port = std::stoi(rest.substr(colon + 1));
  } catch (const std::exception&) {
    port = 0;
  }
  if (port <= 0 || port > 65535) throw std::invalid_argument("url: bad port in '" + url + "'");
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

Connection::Connection(asio::any_io_executor executor, Target target,
                       std::chrono::milliseconds timeout)
    : stream_(std::move(executor)), target_(std::move(target)), timeout_(timeout) {}

void Connection::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
  buffer_.clear();
  open_ = false;
}

asio::awaitable<bool> Connection::connect(std::string& error) {
  std::string url = target_.url_file.empty() ? target_.url : read_url_file(target_.url_file);
  tcp::endpoint endpoint;
  bool parsed = true;
  try {
    endpoint = parse_url(url);
  } catch (const std::invalid_argument& e) {
    error = e.what();  // e.g. the URL file is being rewritten: try again shortly
    parsed = false;
  }
  if (parsed) {
    stream_.expires_after(timeout_);
    auto [ec] = co_await stream_.async_connect(endpoint, kAwait);
    if (!ec) {
      stream_.socket().set_option(tcp::no_delay(true));
      host_header_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
      open_ = true;
      ++connects_;
      co_return true;
    }
    error = "connect " + url + ": " + ec.message();
    stream_.close();
  }
  asio::steady_timer pause(stream_.get_executor(), reconnect_delay_);
  co_await pause.async_wait(kAwait);
  co_return false;
}

asio::awaitable<Exchange> Connection::send(bhttp::verb method, std::string_view target,
                                           std::string_view token, std::string_view body,
                                           std::string_view if_match) {
  Exchange result;
  if (!open_ && !co_await connect(result.error)) co_return result;

  bhttp::request<bhttp::string_body> request{method, target, 11};
  request.set(bhttp::field::host, host_header_);
  request.set(bhttp::field::user_agent, "disclose-loadgen");
  if (!token.empty()) request.set(bhttp::field::authorization, "Bearer " + std::string(token));
  if (!if_match.empty()) request.set(bhttp::field::if_match, "\"" + std::string(if_match) + "\"");
  if (method != bhttp::verb::get) {
    request.set(bhttp::field::content_type, "application/json");
    request.body() = std::string(body);
  }
  request.keep_alive(true);
  request.prepare_payload();

  // From here on the server may have seen the request.
  result.outcome = Exchange::Outcome::unknown;
  stream_.expires_after(timeout_);
  auto [write_ec, written] = co_await bhttp::async_write(stream_, request, kAwait);
  if (write_ec) {
    result.error = "write: " + write_ec.message();
    close();
    co_return result;
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  auto [read_ec, read] = co_await bhttp::async_read(stream_, buffer_, parser, kAwait);
  if (read_ec) {
    result.error = "read: " + read_ec.message();
    close();
    co_return result;
  }
  stream_.expires_never();
  auto& response = parser.get();
  result.outcome = Exchange::Outcome::response;
  result.status = int(response.result_int());
  std::string etag(response[bhttp::field::etag]);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    etag = etag.substr(1, etag.size() - 2);
  result.etag = std::move(etag);
  result.body = std::move(response.body());
  if (!response.keep_alive()) close();
  co_return result;
}

}  // namespace loadgen
