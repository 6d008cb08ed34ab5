#include "snapflow/io/transport_output.hpp"

#include <cstdio>

#include "snapflow/core/error.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/io/hdf5_handle.hpp"

namespace snapflow {

void write_transport_output(const std::string& path, const transport::TransportSolver& solver,
                            const transport::TransportResult& result, long from, long to) {
  using namespace transport;
  silence_hdf5_error_printing();
  const OutputLock lock(path);
  const std::string partial = partial_path(path);
  {
    Hid file(H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    SNAPFLOW_VERIFY(file.valid(),
                    "cannot create output file " << quoted(partial) << ": " << hdf5_error_detail());
    const Grid& g = solver.spec().grid;
    const std::vector<double> flows = solver.flows();
    const hsize_t K = static_cast<hsize_t>(solver.directions());
    if (solver.spec().stencil == StencilKind::kGlobal) {
      const auto& cells = solver.active_cells();
      std::vector<double> plan;
      for (size_t c = 0; c < cells.size(); ++c)
        for (size_t d = 0; d < cells.size(); ++d)
          if (const double f = flows[c * K + d]; f > 0)
            plan.insert(plan.end(), {double(cells[c]), double(cells[d]), f});
      const hsize_t rows = plan.size() / 3;
      Hid set = create_dataset(file, "/transport/plan", H5T_IEEE_F64LE, {rows, 3});
      if (rows) H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, plan.data());
    } else {
      const hsize_t ny = static_cast<hsize_t>(g.ny), nx = static_cast<hsize_t>(g.nx);
      Hid set = create_dataset(file, "/transport/flow", H5T_IEEE_F64LE, {ny, nx, K});
      H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, flows.data());
      std::vector<int32_t> offsets;
      for (hsize_t d = 0; d < K; ++d)
        offsets.insert(offsets.end(), {solver.stencil().ox[d], solver.stencil().oy[d]});
      Hid off = create_dataset(file, "/transport/offsets", H5T_STD_I32LE, {K, 2});
      H5Dwrite(off, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, offsets.data());
    }
    write_string_attribute(file, "status", to_string(result.status));
    write_double_attribute(file, "cost", result.cost);
    write_double_attribute(file, "moved", result.moved);
    write_double_attribute(file, "created", result.created);
    write_double_attribute(file, "destroyed", result.destroyed);
    write_double_attribute(file, "clipped", result.clipped);
    write_double_attribute(file, "unroutable", result.unroutable);
    write_long_attribute(file, "from", from);
    write_long_attribute(file, "to", to);
    write_string_attribute(file, "stencil", to_string(solver.spec().stencil));
    write_string_attribute(file, "cost_kind", to_string(solver.spec().cost.kind));
    write_string_attribute(file, "balance", to_string(solver.spec().balance));
    write_double_attribute(file, "dx", g.dx);
    write_double_attribute(file, "dy", g.dy);
    SNAPFLOW_VERIFY(H5Fclose(file.release()) >= 0,
                    "cannot close " << quoted(partial) << ": " << hdf5_error_detail());
  }
  commit_partial(partial, path);
}

}  // namespace snapflow
