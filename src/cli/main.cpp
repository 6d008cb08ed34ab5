// snapflow: infer where mass moves from gridded snapshots of how much mass is where.
#include <slepcsys.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "snapflow/cli/commands.hpp"
#include "snapflow/cli/options.hpp"
#include "snapflow/core/error.hpp"

namespace {

const char kUsage[] =
    "snapflow " SNAPFLOW_VERSION
    ": where mass moves, from snapshots of how much mass is where.\n"
    "Usage: [mpirun -n P] snapflow COMMAND [ARG] [-option value ...]\n"
    "Commands:\n"
    "  synth CASE -o FILE   write a synthetic input (advect, vortex, province)\n"
    "  info FILE            summarise an input file\n"
    "  dmd -i IN -o OUT     fit exact DMD (SLEPc) and write /dmd\n"
    "  transport -i IN -from K -to L   one transport LP between two snapshots (JSON line)\n"
    "  run -i IN -o OUT     the whole pipeline: DMD, fine-step transport, frames (HDF5 + XDMF)\n"
    "Options use the PETSc options database (-options_file works). 'snapflow COMMAND -help'\n"
    "lists a command's options.\n";

struct Command {
  const char* name;
  const char* help;
  int (*run)(const snapflow::CommandLine&);
};

const Command kCommands[] = {
    {"synth", snapflow::kSynthHelp, snapflow::run_synth},
    {"info", snapflow::kInfoHelp, snapflow::run_info},
    {"dmd", snapflow::kDmdHelp, snapflow::run_dmd},
    {"transport", snapflow::kTransportHelp, snapflow::run_transport},
    {"run", snapflow::kRunHelp, snapflow::run_run},
};

const Command* find_command(const std::string& name) {
  for (const Command& c : kCommands)
    if (name == c.name) return &c;
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  // "snapflow COMMAND [ARG] -options...": strip the command and its positional argument so
  // PETSc sees only options.
  snapflow::CommandLine line;
  std::vector<char*> petsc_args = {argv[0]};
  int next = 1;
  if (next < argc && argv[next][0] != '-') line.command = argv[next++];
  if (next < argc && argv[next][0] != '-') line.positional = argv[next++];
  for (; next < argc; ++next) petsc_args.push_back(argv[next]);
  petsc_args.push_back(nullptr);
  int petsc_argc = static_cast<int>(petsc_args.size()) - 1;
  char** petsc_argv = petsc_args.data();

  const Command* command = find_command(line.command);
  const std::string help = std::string(kUsage) + (command ? std::string("\n") + command->help : "");
  PetscCall(SlepcInitialize(&petsc_argc, &petsc_argv, nullptr, help.c_str()));
  int rank = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);

  int status = 0;
  if (snapflow::help_requested()) {
    // PETSc has printed the help text.
  } else if (!command) {
    if (rank == 0) {
      if (!line.command.empty())
        std::fprintf(stderr, "snapflow: error: unknown command '%s'\n\n", line.command.c_str());
      std::fputs(kUsage, stderr);
    }
    status = 2;
  } else {
    try {
      status = command->run(line);
    } catch (const snapflow::Error& e) {
      // snapflow::Error is raised identically on every rank: report once, exit cleanly.
      if (rank == 0) std::fprintf(stderr, "snapflow %s: error: %s\n", command->name, e.what());
      status = 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "snapflow %s: internal error on rank %d: %s\n", command->name, rank,
                   e.what());
      MPI_Abort(PETSC_COMM_WORLD, 3);
    }
  }
  PetscCall(SlepcFinalize());
  return status;
}
