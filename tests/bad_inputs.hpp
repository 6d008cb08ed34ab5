// Small input files with one defect each, and the message snapflow must refuse them with.
#pragma once

#include <string>
#include <vector>

namespace snapflow::test {

enum class Stage {
  kOpen,     // refused when the file is opened
  kData,     // refused once the density values are read and checked (NaN/Inf)
  kUniform,  // refused where uniform spacing is required (DMD)
  kMask,     // refused when the mask or zones are read
};

struct BadInput {
  std::string name;
  std::string expected;  // a substring of the error message
  Stage stage;
};

const std::vector<BadInput>& bad_inputs();

// Serial (call on one rank): writes the file for case `name` at `path`.
void write_bad_input(const std::string& name, const std::string& path);

}  // namespace snapflow::test
