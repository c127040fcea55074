// Prints the schema this build's pos-terminal knows, one "component version" a line, for the
// package's preinst (refuses a downgrade below a newer database) and postinst (records it).
#include <pos/app/terminal.hpp>

#include <fstream>
#include <iostream>
#include <map>
#include <string>

// pos-schema-dump [OUT]: to OUT, else standard output.
int main(int argc, char** argv) {
  std::map<std::string, int> highest;
  for (const auto& m : pos::app::Terminal::migrations()) {
    auto& v = highest[std::string(m.component)];
    if (m.version > v) v = m.version;
  }
  std::ofstream file;
  if (argc > 1) file.open(argv[1], std::ios::trunc);
  std::ostream& out = argc > 1 ? file : std::cout;
  for (const auto& [component, version] : highest) out << component << ' ' << version << '\n';
  out.flush();
  return out ? 0 : 1;
}
