#include "disclose/cli.h"

int main(int argc, char** argv) {
  return disclose::cli::run(argc, argv);
}
