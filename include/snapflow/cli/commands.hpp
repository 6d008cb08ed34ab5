// The `snapflow` subcommands. Each runs collectively on MPI_COMM_WORLD after PETSc is
// initialised, reads its options from the PETSc options database and throws snapflow::Error
// (on every rank) for bad input.
#pragma once

#include <string>

namespace snapflow {

struct CommandLine {
  std::string command;     // "synth", "info", ...
  std::string positional;  // CASE for synth, FILE for info; may be empty
};

extern const char kSynthHelp[];
extern const char kInfoHelp[];
extern const char kTransportHelp[];
extern const char kDmdHelp[];
extern const char kRunHelp[];

int run_synth(const CommandLine& line);
int run_info(const CommandLine& line);
int run_transport(const CommandLine& line);
int run_dmd(const CommandLine& line);
int run_run(const CommandLine& line);

}  // namespace snapflow
