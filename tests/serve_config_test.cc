// `disclose serve --config FILE`: keys from every section of README.md's example are read, and a
// mistake stops the server with FILE:LINE and what was expected, never a half-read configuration.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "disclose/config.h"
#include "temp_dir.h"

namespace disclose::cli {
namespace {

class ServeConfigTest : public ::testing::Test {
 protected:
  std::string file(const std::string& yaml) {
    std::string path = (dir_ / "serve.yaml").string();
    std::ofstream(path) << yaml;
    return path;
  }
  ServeConfig load(const std::string& yaml) { return load_serve_config(file(yaml)); }
  // The message of the ConfigError that loading `yaml` throws ("" if none).
  std::string error_of(const std::string& yaml) {
    try {
      load(yaml);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  fixture::TempDir dir_;
};

TEST_F(ServeConfigTest, AnEmptyFileKeepsEveryDefault) {
  ServeConfig config = load("");
  // The documented defaults (README → Configuration), spelled out: comparing with a
  // default-constructed ServeConfig would pass whatever the defaults were.
  EXPECT_EQ(config.db, "var/disclose.db");
  EXPECT_EQ(config.server.address, "127.0.0.1");
  EXPECT_EQ(config.server.port, 8080);
  EXPECT_EQ(config.server.handler_threads, 64u);
  EXPECT_EQ(config.server.io_threads, 2u);
  EXPECT_EQ(config.idempotency_retention_hours, 24);
  EXPECT_TRUE(config.timers.enabled);
  EXPECT_EQ(config.utc_offset_minutes, 8 * 60);
}

TEST_F(ServeConfigTest, TheReadmeKeysAreRead) {
  ServeConfig config = load(R"(listen: 0.0.0.0:9090
db: /srv/disclose.db
workflows: /etc/disclose/workflows
time_zone: "-05:30"
log:
  format: json
  level: warn
limits:
  body_bytes: 2048
  handler_threads: 8
  io_threads: 3
timeouts:
  header_ms: 500
  body_ms: 700
  idle_ms: 900
tls:
  certificate: /etc/disclose/cert.pem
  private_key: /etc/disclose/key.pem
sqlite:
  synchronous: NORMAL
public_url: https://foi.example.gov.cn
timers:
  enabled: false
  sweep_seconds: 5
idempotency:
  retention_hours: 168
notifications:
  timeout_seconds: 5
  lease_seconds: 10
)");
  EXPECT_EQ(config.server.address, "0.0.0.0");
  EXPECT_EQ(config.server.port, 9090);
  EXPECT_EQ(config.db, "/srv/disclose.db");
  EXPECT_EQ(config.utc_offset_minutes, -(5 * 60 + 30));
  EXPECT_TRUE(config.server.json_log);
  EXPECT_EQ(config.log_level, "warn");
  EXPECT_EQ(config.server.body_limit, 2048u);
  EXPECT_EQ(config.server.handler_threads, 8u);
  EXPECT_EQ(config.server.io_threads, 3u);
  EXPECT_EQ(config.workflows, "/etc/disclose/workflows");
  EXPECT_EQ(config.server.header_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(config.server.body_timeout, std::chrono::milliseconds(700));
  EXPECT_EQ(config.server.idle_timeout, std::chrono::milliseconds(900));
  EXPECT_EQ(config.server.tls_certificate, "/etc/disclose/cert.pem");
  EXPECT_EQ(config.server.tls_private_key, "/etc/disclose/key.pem");
  EXPECT_EQ(config.sqlite_synchronous, "NORMAL");
  EXPECT_EQ(config.public_url, "https://foi.example.gov.cn");
  EXPECT_FALSE(config.timers.enabled);
  EXPECT_EQ(config.timers.sweep_seconds, 5);
  EXPECT_EQ(config.idempotency_retention_hours, 168);
  EXPECT_EQ(config.notifications.lease_seconds, 10);
}

TEST_F(ServeConfigTest, MistakesNameTheFileLineAndWhatWasExpected) {
  const std::string path = (dir_ / "serve.yaml").string();
  EXPECT_EQ(error_of("db: x\nlisen: 1.2.3.4:80\n"), path + ":2: unknown key 'lisen'");
  EXPECT_EQ(error_of("idempotency:\n  retention_hours: -1\n"),
            path + ":2: expected a whole number from 0 to 8760");
  EXPECT_EQ(error_of("idempotency:\n  retention: 24\n"), path + ":2: unknown key 'retention'");
  EXPECT_EQ(error_of("idempotency: 24\n"), path + ":1: expected a mapping");
  EXPECT_EQ(error_of("limits:\n  io_threads: two\n"),
            path + ":2: expected a whole number from 1 to 64");
  EXPECT_EQ(error_of("sqlite:\n  synchronous: OFF\n"), path + ":2: FULL or NORMAL");
  EXPECT_EQ(error_of("timers:\n  enabled: yes\n"), path + ":2: true or false");
  EXPECT_EQ(error_of("public_url: ftp://x\n"), path + ":1: an absolute http:// or https:// URL");
  EXPECT_NE(error_of("notifications:\n  timeout_seconds: 60\n  lease_seconds: 60\n")
                .find("lease_seconds must be at least twice timeout_seconds"),
            std::string::npos);
  EXPECT_NE(error_of("tls:\n  certificate: /c.pem\n").find("give both certificate and private_key"),
            std::string::npos);
}

TEST_F(ServeConfigTest, MalformedYamlIsAConfigErrorNotACrash) {
  EXPECT_NE(error_of("db: [unclosed\n").find((dir_ / "serve.yaml").string() + ":"),
            std::string::npos);
  EXPECT_NE(error_of("- a list\n- not a mapping\n").find("expected a mapping"), std::string::npos);
  EXPECT_EQ(error_of("? [a, b]\n: 1\n"),
            (dir_ / "serve.yaml").string() + ":1: a key must be a plain name");
  EXPECT_NE(error_of("log: {level: [debug]}\n").find("expected a string"), std::string::npos);
  EXPECT_EQ(error_of(""), "");
  EXPECT_THROW(load_serve_config((dir_ / "missing.yaml").string()), ConfigError);
}

}  // namespace
}  // namespace disclose::cli
