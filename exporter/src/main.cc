#include <iostream>
#include <string_view>
#include <vector>

#include "app/commands.h"

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv, argv + argc);
  return edgewatch::RunMain(args, std::cout, std::cerr);
}
