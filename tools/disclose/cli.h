// The `disclose` command line: calendar, workflow, case, agency, user and audit commands.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace disclose::cli {

// Runs the command line as `disclose ARGS…`; returns the process exit status.
int run(int argc, char** argv);
// The same with explicit streams and stdin, for tests.
int run(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
        std::ostream& err);

}  // namespace disclose::cli
