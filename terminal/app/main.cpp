// pos-terminal: the touch UI with no subcommand, the headless command line otherwise
// (../shared/contract/cli.md). Services are built here and passed by reference.
#include <cstdio>

int main(int /*argc*/, char** /*argv*/) {
  std::printf("pos-terminal %s\n", POS_VERSION);
  return 0;
}
