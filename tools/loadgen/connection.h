// One keep-alive HTTP/1.1 connection to the server under test, used by one coroutine at a time.
//
// Failures are values: a load generator must keep going when the server dies (the crash test
// kills it on purpose), so every exchange returns an Exchange saying whether the request may
// have reached the server. A request that was written but got no response has an unknown
// outcome — the server may or may not have applied it — and the caller must find out by reading.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>

namespace loadgen {

// Where the server is: a fixed http://HOST:PORT, or a file holding that URL that is read again
// before every connection attempt (a restarted server listening on a new port).
struct Target {
  std::string url;       // http://127.0.0.1:8080
  std::string url_file;  // when set, overrides url
};

struct Exchange {
  enum class Outcome {
    response,  // a complete response arrived: see status
    not_sent,  // no connection could be made: the request surely did not reach the server
    unknown,   // the connection failed after the request was (maybe) written
  };
  Outcome outcome = Outcome::not_sent;
  int status = 0;
  std::string body;
  std::string etag;   // without quotes
  std::string error;  // why there is no response
  bool ok() const { return outcome == Outcome::response; }
};

class Connection {
 public:
  Connection(boost::asio::any_io_executor executor, Target target,
             std::chrono::milliseconds timeout);

  // Sends one request (connecting first when needed) and reads the whole response. `if_match`
  // is a version number or "" for none. After a connection failure the socket is closed and the
  // next call reconnects; a failed connect waits `reconnect_delay` first so that a server being
  // restarted is not hammered.
  boost::asio::awaitable<Exchange> send(boost::beast::http::verb method, std::string_view target,
                                        std::string_view token, std::string_view body = {},
                                        std::string_view if_match = {});

  int connects() const { return connects_; }
  void close();

 private:
  boost::asio::awaitable<bool> connect(std::string& error);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  Target target_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds reconnect_delay_{50};
  bool open_ = false;
  std::string host_header_;
  int connects_ = 0;
};

// Parses "http://HOST:PORT[/…]" (an IP literal; the generator talks to 127.0.0.1). Throws
// std::invalid_argument naming the problem.
boost::asio::ip::tcp::endpoint parse_url(const std::string& url);

}  // namespace loadgen
