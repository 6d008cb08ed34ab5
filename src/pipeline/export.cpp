#include "snapflow/pipeline/export.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "snapflow/core/error.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/core/utc_time.hpp"
#include "snapflow/geo/geojson_writer.hpp"
#include "snapflow/geo/zone_geometry.hpp"
#include "snapflow/io/run_reader.hpp"
#include "snapflow/parallel/mpi_context.hpp"

namespace snapflow {

namespace {

// Zone-to-zone flows over a series of windows (frames or OD windows).
struct ZoneFlows {
  std::vector<int32_t> zones;                                        // [ny * nx] zone id or -1
  std::vector<double> time;                                          // window boundaries [W + 1]
  std::vector<std::map<std::pair<int32_t, int32_t>, double>> flows;  // per window, by ids
  std::string source;  // what the flows are, for the report
};

std::string time_text(const RunReader& run, double t) {
  if (run.time_is_epoch()) return format_utc(t);
  std::ostringstream text;
  text.precision(12);
  text << t;
  return text.str();
}

std::string number_text(double value) {
  std::ostringstream text;
  text.precision(9);
  text << value;
  return text.str();
}

std::vector<int32_t> tile_zones(const Grid& grid, int side) {
  const int across = (grid.nx + side - 1) / side;
  std::vector<int32_t> zones(static_cast<size_t>(grid.cells()));
  for (int j = 0; j < grid.ny; ++j)
    for (int i = 0; i < grid.nx; ++i) zones[grid.index(j, i)] = (j / side) * across + i / side;
  return zones;
}

// Mass crossing from one zone into another during each frame, from /frames/flow.
void add_crossings(const RunReader& run, ZoneFlows& z) {
  const Grid& g = run.grid();
  z.time = run.frame_time();
  z.flows.resize(static_cast<size_t>(run.frames()));
  for (long f = 0; f < run.frames(); ++f) {
    const std::vector<float> flow = run.frame("/frames/flow", f);
    auto& window = z.flows[f];
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const long c = g.index(j, i);
        const int32_t from = z.zones[c];
        if (from < 0) continue;
        for (int d = 0; d < 9; ++d) {
          const int jj = j + d / 3 - 1, ii = i + d % 3 - 1;
          if (d == 4 || jj < 0 || jj >= g.ny || ii < 0 || ii >= g.nx) continue;
          const int32_t to = z.zones[g.index(jj, ii)];
          const double moved = flow[c * 9 + d];
          if (to >= 0 && to != from && moved > 0) window[{from, to}] += moved;
        }
      }
  }
}

// The run's own zone tables: trips when it has them, else border crossings per frame.
void read_run_od(const RunReader& run, ZoneFlows& z) {
  const std::vector<int32_t> ids = run.ints("/od/zone_ids");
  const bool trips = run.has("/od/trips");
  const std::vector<double> od = run.doubles(trips ? "/od/trips" : "/od/flow");
  z.time = trips ? run.doubles("/od/time") : run.frame_time();
  const size_t Z = ids.size(), W = z.time.size() - 1;
  SNAPFLOW_VERIFY(od.size() == W * Z * Z,
                  "run output " << quoted(run.path()) << ": " << (trips ? "/od/trips" : "/od/flow")
                                << " does not hold " << W << " x " << Z << " x " << Z << " values");
  z.flows.resize(W);
  for (size_t w = 0; w < W; ++w)
    for (size_t a = 0; a < Z; ++a)
      for (size_t b = 0; b < Z; ++b) {
        const double v = od[(w * Z + a) * Z + b];
        if (a != b && v > 0) z.flows[w][{ids[a], ids[b]}] = v;
      }
  z.source = trips ? "trips (/od/trips)" : "border crossings (/od/flow)";
}

ZoneFlows zone_flows(const RunReader& run, const ExportOptions& o, const std::string& crs) {
  ZoneFlows z;
  if (!o.zones_file.empty()) {
    z.zones = rasterize_zones(o.zones_file, o.zone_field, run.grid(), crs);
    SNAPFLOW_VERIFY(std::any_of(z.zones.begin(), z.zones.end(), [](int32_t id) { return id >= 0; }),
                    "zone file " << quoted(o.zones_file)
                                 << ": no polygon holds a cell centre of the run's grid (is it "
                                    "in the right place and CRS?)");
    add_crossings(run, z);
    z.source = "border crossings of the zones of " + quoted(o.zones_file);
  } else if (o.zone_cells > 0) {
    z.zones = tile_zones(run.grid(), o.zone_cells);
    add_crossings(run, z);
    z.source = "border crossings of " + std::to_string(o.zone_cells) + " x " +
               std::to_string(o.zone_cells) + " cell tiles";
  } else {
    SNAPFLOW_VERIFY(run.has("/od/zones"),
                    "run output " << quoted(run.path())
                                  << " has no zones (its input had no /zones): give -zones FILE "
                                     "(zone polygons) or -zone_cells N (square tiles)");
    z.zones = run.ints("/od/zones");
    read_run_od(run, z);
  }
  return z;
}

// Flows at or above `share` of each window's largest (all positive ones for share 0).
template <class Row>
double for_each_flow(const ZoneFlows& z, double share, Row row) {
  double total = 0;
  for (size_t w = 0; w < z.flows.size(); ++w) {
    double largest = 0;
    for (const auto& [pair, v] : z.flows[w]) largest = std::max(largest, v);
    for (const auto& [pair, v] : z.flows[w])
      if (v >= share * largest) {
        row(w, pair.first, pair.second, v);
        total += v;
      }
  }
  return total;
}

std::string joined(const std::filesystem::path& directory, const char* name) {
  return (directory / name).string();
}

ExportReport export_zone_flows(const RunReader& run, const ExportOptions& o, const std::string& crs,
                               const std::filesystem::path& dir) {
  const ZoneFlows z = zone_flows(run, o, crs);
  const std::vector<ZoneShape> shapes = polygonize_zones(z.zones, run.grid(), crs);
  const double share = std::max(o.min_share, 0.0);
  ExportReport report;
  std::ostringstream flows;
  if (o.format == "skmob") {
    flows << "origin,destination,flow,datetime\n";
    report.total = for_each_flow(z, share, [&](size_t w, int32_t a, int32_t b, double v) {
      flows << a << ',' << b << ',' << number_text(v) << ',' << time_text(run, z.time[w]) << '\n';
      ++report.rows;
    });
    GeoJsonWriter tiles(
        joined(dir, "tessellation.geojson"), crs,
        {{"tile_ID", GeoField::Type::kInteger}, {"cells", GeoField::Type::kInteger}});
    for (const ZoneShape& s : shapes) tiles.add(s.wkt, {static_cast<long>(s.id), s.cells});
    write_text_atomically(joined(dir, "flows.csv"), flows.str());
    tiles.commit();
    report.files = joined(dir, "flows.csv") + ", " + joined(dir, "tessellation.geojson");
  } else {
    flows << "origin,dest,count,time\n";
    report.total = for_each_flow(z, share, [&](size_t w, int32_t a, int32_t b, double v) {
      flows << a << ',' << b << ',' << number_text(v) << ',' << time_text(run, z.time[w]) << '\n';
      ++report.rows;
    });
    std::ostringstream locations;
    locations.precision(10);
    locations << "id,name,lat,lon\n";
    for (const ZoneShape& s : shapes)
      locations << s.id << ",zone " << s.id << ',' << s.lat << ',' << s.lon << '\n';
    write_text_atomically(joined(dir, "locations.csv"), locations.str());
    write_text_atomically(joined(dir, "flows.csv"), flows.str());
    report.files = joined(dir, "locations.csv") + ", " + joined(dir, "flows.csv");
  }
  report.files += " (" + z.source + ")";
  return report;
}

// One arrow per block of cells and frame: from the block's mass centre along the mean
// velocity of its mass for the frame's duration.
ExportReport export_arrows(const RunReader& run, const ExportOptions& o, const std::string& crs,
                           const std::filesystem::path& dir) {
  const Grid& g = run.grid();
  const int side = o.arrow_cells > 0
                       ? o.arrow_cells
                       : std::max(1, static_cast<int>(std::lround(std::max(g.nx, g.ny) / 60.0)));
  const double share = o.min_share >= 0 ? o.min_share : 0.01;
  const int bx = (g.nx + side - 1) / side, by = (g.ny + side - 1) / side;
  const std::string path = joined(dir, "arrows.geojson");
  GeoJsonWriter arrows(path, crs,
                       {{"frame", GeoField::Type::kInteger},
                        {"time", GeoField::Type::kText},
                        {"mass", GeoField::Type::kReal},
                        {"moved", GeoField::Type::kReal},
                        {"speed", GeoField::Type::kReal},
                        {"vx", GeoField::Type::kReal},
                        {"vy", GeoField::Type::kReal}});
  ExportReport report;
  for (long f = 0; f < run.frames(); ++f) {
    const std::vector<float> density = run.frame("/frames/density", f);
    const std::vector<float> velocity = run.frame("/frames/velocity", f);
    const std::vector<float> flow = run.frame("/frames/flow", f);
    const double duration = run.frame_time()[f + 1] - run.frame_time()[f];
    struct Block {
      double mass = 0, moved = 0, x = 0, y = 0, vx = 0, vy = 0;
    };
    std::vector<Block> blocks(static_cast<size_t>(bx) * by);
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const long c = g.index(j, i);
        const double m = std::max(0.0f, density[c]);
        Block& b = blocks[static_cast<size_t>(j / side) * bx + i / side];
        b.mass += m;
        b.x += m * g.centre_x(i);
        b.y += m * g.centre_y(j);
        b.vx += m * velocity[2 * c];
        b.vy += m * velocity[2 * c + 1];
        for (int d = 0; d < 9; ++d)
          if (d != 4) b.moved += flow[9 * c + d];
      }
    double largest = 0;
    for (const Block& b : blocks) largest = std::max(largest, b.mass);
    const std::string when = time_text(run, run.frame_time()[f]);
    for (const Block& b : blocks) {
      if (b.mass <= 0 || b.mass < share * largest) continue;
      const double x = b.x / b.mass, y = b.y / b.mass;
      const double vx = b.vx / b.mass, vy = b.vy / b.mass;
      const double speed = std::hypot(vx, vy);
      if (speed <= 0) continue;
      std::ostringstream line;
      line.precision(12);
      line << "LINESTRING (" << x << ' ' << y << ", " << x + vx * duration << ' '
           << y + vy * duration << ')';
      arrows.add(line.str(), {f, when, b.mass, b.moved, speed, vx, vy});
      ++report.rows;
      report.total += b.mass;
    }
  }
  arrows.commit();
  report.files =
      path + " (blocks of " + std::to_string(side) + " x " + std::to_string(side) + " cells)";
  return report;
}

ExportReport export_on_root(const ExportOptions& o) {
  const RunReader run(o.input);
  const std::string crs = !o.crs.empty() ? o.crs : run.crs();
  SNAPFLOW_VERIFY(!crs.empty(), "run output "
                                    << quoted(o.input)
                                    << " names no CRS (its input had no attribute "
                                       "crs): give -crs with the CRS of its x and y "
                                       "(e.g. EPSG:32632) so that lon/lat can be written");
  const std::filesystem::path dir(o.directory);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  SNAPFLOW_VERIFY(std::filesystem::is_directory(dir), "option -o: cannot create the directory "
                                                          << quoted(o.directory) << ": "
                                                          << error.message());
  if (o.format == "geojson") return export_arrows(run, o, crs, dir);
  return export_zone_flows(run, o, crs, dir);
}

}  // namespace

ExportReport run_export(MPI_Comm comm, const ExportOptions& options) {
  ExportReport report;
  collectively(comm, [&] {
    if (comm_rank(comm) == 0) report = export_on_root(options);
  });
  return report;
}

}  // namespace snapflow
