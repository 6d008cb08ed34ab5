// The `snapflow` subcommands. Each runs collectively on MPI_COMM_WORLD after PETSc is
// initialised, reads its options from the PETSc options database and throws snapflow::Error
// (on every rank) for bad input.
#pragma once

#include <string>
#include <vector>

#include "snapflow/cli/option_table.hpp"

namespace snapflow {

struct CommandLine {
  std::string command;             // "synth", "info", ...
  std::string positional;          // CASE for synth, FILE for info; may be empty
  std::vector<std::string> files;  // further positional arguments (ingest's input files)
};

struct CommandSpec {
  const char* name;
  const char* summary;   // one line of the command list
  const char* synopsis;  // the start of the command's -help
  // The options the command takes (they may depend on the positional argument, e.g. CASE).
  OptionGroups (*options)(const std::string& positional);
  const char* notes;  // the end of the command's -help
  int (*run)(const CommandLine& line);
  bool takes_files = false;  // further positional arguments are input files
};

extern const CommandSpec kSynthCommand;
extern const CommandSpec kInfoCommand;
extern const CommandSpec kDmdCommand;
extern const CommandSpec kTransportCommand;
extern const CommandSpec kRunCommand;
extern const CommandSpec kIngestCommand;
extern const CommandSpec kMergeCommand;
extern const CommandSpec kExportCommand;
extern const CommandSpec kEvaluateCommand;

}  // namespace snapflow
