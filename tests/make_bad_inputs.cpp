// Writes every bad input file into DIR and prints "name<TAB>stage<TAB>expected message" per
// file, for the command-line check in cli_bad_input.sh.
#include <mpi.h>

#include <cstdio>
#include <string>

#include "bad_inputs.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_bad_inputs DIR\n");
    return 2;
  }
  MPI_Init(&argc, &argv);
  const char* stages[] = {"open", "data", "uniform", "mask"};
  for (const auto& bad : snapflow::test::bad_inputs()) {
    const std::string path = std::string(argv[1]) + "/" + bad.name + ".h5";
    snapflow::test::write_bad_input(bad.name, path);
    std::printf("%s\t%s\t%s\n", bad.name.c_str(), stages[static_cast<int>(bad.stage)],
                bad.expected.c_str());
  }
  // A valid file of two snapshots (info and transport take it, dmd and run do not).
  snapflow::test::write_bad_input("two_snapshots", std::string(argv[1]) + "/two_snapshots.h5");
  MPI_Finalize();
  return 0;
}
