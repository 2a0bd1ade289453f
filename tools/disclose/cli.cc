#include "disclose/cli.h"

#include <iostream>

namespace disclose::cli {

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return run(args, std::cin, std::cout, std::cerr);
}

int run(const std::vector<std::string>&, std::istream&, std::ostream&, std::ostream& err) {
  err << "disclose: not built yet\n";
  return 1;
}

}  // namespace disclose::cli
