// snapflow: infer where mass moves from gridded snapshots of how much mass is where.
#include <slepcsys.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "snapflow/cli/commands.hpp"
#include "snapflow/cli/options.hpp"
#include "snapflow/core/error.hpp"

namespace {

const snapflow::CommandSpec* const kCommands[] = {
    &snapflow::kSynthCommand, &snapflow::kInfoCommand,      &snapflow::kIngestCommand,
    &snapflow::kDmdCommand,   &snapflow::kTransportCommand, &snapflow::kRunCommand,
    &snapflow::kMergeCommand, &snapflow::kExportCommand,    &snapflow::kEvaluateCommand,
};

std::string usage() {
  std::string text = "snapflow " SNAPFLOW_VERSION
                     ": where mass moves, from snapshots of how much mass is where.\n"
                     "Usage: [mpirun -n P] snapflow COMMAND [ARG] [-option value ...]\n"
                     "Commands:\n";
  for (const snapflow::CommandSpec* c : kCommands) text += std::string("  ") + c->summary + "\n";
  text +=
      "Options use the PETSc options database (-options_file works). 'snapflow COMMAND -help'\n"
      "lists a command's options.\n";
  return text;
}

const snapflow::CommandSpec* find_command(const std::string& name) {
  for (const snapflow::CommandSpec* c : kCommands)
    if (name == c->name) return c;
  return nullptr;
}

// "-name" (not a negative number such as -1.5).
bool is_option(const char* token) {
  return token[0] == '-' && token[1] != '\0' &&
         !(std::isdigit(static_cast<unsigned char>(token[1])) || token[1] == '.');
}

// Whether option `name` of `command` takes a value; options not in its tables (PETSc's own,
// or unknown ones, refused later) are taken to have one.
bool takes_value(const snapflow::OptionGroups& groups, const std::string& name) {
  for (const snapflow::OptionGroup* group : groups)
    for (const snapflow::OptionSpec& o : group->options)
      if (o.name == name) return !o.value.empty();
  return true;
}

// An error ends a command on every rank within moments (errors are agreed across ranks). If
// this rank has met one and is still running after the grace time, another rank is stuck in
// a collective call that will never complete: report and end the process, which makes mpirun
// end the job, instead of hanging until the job's time limit. SNAPFLOW_ERROR_GRACE_S sets
// the grace time (default 20 s; the tests use a few seconds).
double error_grace_seconds() {
  const char* text = std::getenv("SNAPFLOW_ERROR_GRACE_S");
  if (!text || !*text) return 20.0;
  char* end = nullptr;
  const double seconds = std::strtod(text, &end);
  return (*end == '\0' && seconds > 0 && seconds < 1e6) ? seconds : 20.0;
}

void start_error_watchdog(int rank) {
  const double grace = error_grace_seconds();
  std::thread([rank, grace] {
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      if (snapflow::seconds_since_first_error() < grace) continue;
      std::fprintf(
          stderr,
          "snapflow: error on rank %d: %s\nsnapflow: the command did not end within %.0f s "
          "of that error (a rank, or a collective HDF5 close after a failed write, is "
          "stuck); ending the job\n",
          rank, snapflow::first_error_message().c_str(), grace);
      std::fflush(stderr);
      std::_Exit(1);
    }
  }).detach();
}

}  // namespace

int main(int argc, char** argv) {
  // "snapflow COMMAND [ARG] -options... [FILE...]": strip the command and the positional
  // arguments so PETSc sees only options and their values.
  snapflow::CommandLine line;
  std::vector<char*> petsc_args = {argv[0]};
  int next = 1;
  if (next < argc && !is_option(argv[next])) line.command = argv[next++];
  const snapflow::CommandSpec* command = find_command(line.command);
  if (next < argc && !is_option(argv[next])) line.positional = argv[next++];
  const snapflow::OptionGroups groups =
      command ? command->options(line.positional) : snapflow::OptionGroups{};
  bool value_expected = false;
  for (; next < argc; ++next) {
    if (is_option(argv[next])) {
      petsc_args.push_back(argv[next]);
      value_expected = takes_value(groups, argv[next] + 1);
    } else if (value_expected) {
      petsc_args.push_back(argv[next]);
      value_expected = false;
    } else {
      line.files.push_back(argv[next]);
    }
  }
  petsc_args.push_back(nullptr);
  int petsc_argc = static_cast<int>(petsc_args.size()) - 1;
  char** petsc_argv = petsc_args.data();

  std::string help = usage();
  if (command)
    help += std::string("\n") + command->synopsis + snapflow::format_option_groups(groups) +
            command->notes;
  PetscCall(SlepcInitialize(&petsc_argc, &petsc_argv, nullptr, help.c_str()));
  int rank = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  // PETSc's failures come back as codes that snapflow reports itself (SNAPFLOW_PETSC).
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, nullptr));
  start_error_watchdog(rank);

  int status = 0;
  if (snapflow::help_requested()) {
    // PETSc has printed the help text.
  } else if (!command) {
    if (rank == 0) {
      if (!line.command.empty())
        std::fprintf(stderr, "snapflow: error: unknown command '%s'\n\n", line.command.c_str());
      std::fputs(usage().c_str(), stderr);
    }
    status = 2;
  } else {
    try {
      if (command->takes_files) {
        if (!line.positional.empty()) line.files.insert(line.files.begin(), line.positional);
        line.positional.clear();
      } else if (!line.files.empty()) {
        throw snapflow::UsageError("unexpected argument " + snapflow::quoted(line.files.front()) +
                                   " (options are written -name value)");
      }
      snapflow::reject_unknown_options(command->name, groups);
      status = command->run(line);
    } catch (const snapflow::UsageError& e) {
      if (rank == 0) std::fprintf(stderr, "snapflow %s: error: %s\n", command->name, e.what());
      status = 2;
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
