// Runs a parsed command line: loads the configuration, opens the terminal, builds the services
// and calls the one the subcommand names. Returns the contract's exit code; prints one JSON
// object with --json, else text for a person.
#pragma once

#include <iosfwd>

#include <pos/app/command_line.hpp>

namespace pos::app {

int runCommandLine(const ParsedCommandLine& parsed, std::istream& in, std::ostream& out,
                   std::ostream& err, const std::filesystem::path& assetsDir);

}  // namespace pos::app
