#include "snapflow/geo/crs.hpp"

#include <proj.h>

#include <cmath>
#include <cstdio>

#include "snapflow/core/error.hpp"

namespace snapflow {

namespace {

struct ContextDeleter {
  void operator()(PJ_CONTEXT* c) const { proj_context_destroy(c); }
};
struct PjDeleter {
  void operator()(PJ* p) const { proj_destroy(p); }
};
using Context = std::unique_ptr<PJ_CONTEXT, ContextDeleter>;
using Pj = std::unique_ptr<PJ, PjDeleter>;

Context new_context() {
  Context context(proj_context_create());
  proj_log_level(context.get(), PJ_LOG_NONE);
  return context;
}

std::string shortened(const std::string& text) {
  return text.size() <= 60 ? text : text.substr(0, 57) + "...";
}

Pj read_crs(PJ_CONTEXT* context, const std::string& crs) {
  Pj pj(proj_create(context, crs.c_str()));
  SNAPFLOW_VERIFY(pj && proj_is_crs(pj.get()),
                  "the CRS " << quoted(shortened(crs)) << " is not one PROJ can read ("
                             << proj_context_errno_string(context, proj_context_errno(context))
                             << ")");
  return pj;
}

}  // namespace

std::string describe_crs(const std::string& crs) {
  Context context = new_context();
  Pj pj(proj_create(context.get(), crs.c_str()));
  if (!pj || !proj_is_crs(pj.get())) return shortened(crs) + " (not readable by PROJ)";
  std::string text = proj_get_name(pj.get()) ? proj_get_name(pj.get()) : shortened(crs);
  const char* authority = proj_get_id_auth_name(pj.get(), 0);
  const char* code = proj_get_id_code(pj.get(), 0);
  if (authority && code) {
    text += std::string(" (") + authority + ":" + code + ")";
  } else {
    // A WKT without an ID: ask PROJ which registered CRS it is.
    int count = 0;
    int* confidence = nullptr;
    PJ_OBJ_LIST* matches = proj_identify(context.get(), pj.get(), "EPSG", nullptr, &confidence);
    if (matches) count = proj_list_get_count(matches);
    if (count > 0 && confidence[0] >= 90) {
      Pj best(proj_list_get(context.get(), matches, 0));
      if (const char* c = proj_get_id_code(best.get(), 0)) text += std::string(" (EPSG:") + c + ")";
    }
    proj_int_list_destroy(confidence);
    proj_list_destroy(matches);
  }
  return text;
}

bool is_geographic_crs(const std::string& crs) {
  Context context = new_context();
  Pj pj = read_crs(context.get(), crs);
  const PJ_TYPE type = proj_get_type(pj.get());
  return type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS ||
         type == PJ_TYPE_GEOGRAPHIC_CRS;
}

CrsFacts crs_facts(const std::string& crs) {
  Context context = new_context();
  Pj pj = read_crs(context.get(), crs);
  CrsFacts facts;
  facts.geographic = is_geographic_crs(crs);
  if (const char* wkt = proj_as_wkt(context.get(), pj.get(), PJ_WKT2_2019, nullptr))
    facts.wkt = wkt;
  // A compound or bound CRS keeps its axes in the horizontal component.
  Pj horizontal(proj_crs_get_sub_crs(context.get(), pj.get(), 0));
  Pj system(
      proj_crs_get_coordinate_system(context.get(), horizontal ? horizontal.get() : pj.get()));
  const char* unit = nullptr;
  if (system && proj_cs_get_axis_count(context.get(), system.get()) > 0)
    proj_cs_get_axis_info(context.get(), system.get(), 0, nullptr, nullptr, nullptr, nullptr, &unit,
                          nullptr, nullptr);
  if (unit) facts.axis_unit = unit;
  return facts;
}

std::string utm_crs(double longitude, double latitude) {
  const int zone =
      std::min(60, std::max(1, static_cast<int>(std::floor((longitude + 180.0) / 6.0)) + 1));
  char text[32];
  std::snprintf(text, sizeof(text), "EPSG:%d", (latitude >= 0 ? 32600 : 32700) + zone);
  return text;
}

struct CrsTransform::State {
  Context context;
  Pj transform;
};

CrsTransform::CrsTransform(const std::string& from, const std::string& to)
    : state_(std::make_unique<State>()) {
  state_->context = new_context();
  PJ_CONTEXT* context = state_->context.get();
  Pj source = read_crs(context, from);
  Pj target = read_crs(context, to);
  Pj raw(proj_create_crs_to_crs_from_pj(context, source.get(), target.get(), nullptr, nullptr));
  SNAPFLOW_VERIFY(raw, "PROJ finds no transformation from " << quoted(shortened(from)) << " to "
                                                            << quoted(shortened(to)));
  // Longitude (easting) first whatever the axis order the CRS definitions declare.
  state_->transform.reset(proj_normalize_for_visualization(context, raw.get()));
  SNAPFLOW_VERIFY(state_->transform, "PROJ cannot order the axes of the transformation from "
                                         << quoted(shortened(from)) << " to "
                                         << quoted(shortened(to)));
}

CrsTransform::~CrsTransform() = default;

void CrsTransform::apply(std::vector<double>& x, std::vector<double>& y) const {
  SNAPFLOW_VERIFY(x.size() == y.size(),
                  "CrsTransform: " << x.size() << " x and " << y.size() << " y coordinates");
  if (x.empty()) return;
  proj_trans_generic(state_->transform.get(), PJ_FWD, x.data(), sizeof(double), x.size(), y.data(),
                     sizeof(double), y.size(), nullptr, 0, 0, nullptr, 0, 0);
  for (size_t k = 0; k < x.size(); ++k)
    if (x[k] == HUGE_VAL || y[k] == HUGE_VAL || !std::isfinite(x[k]) || !std::isfinite(y[k]))
      x[k] = y[k] = HUGE_VAL;
}

void CrsTransform::apply(double& x, double& y) const {
  std::vector<double> xs = {x}, ys = {y};
  apply(xs, ys);
  x = xs[0];
  y = ys[0];
}

}  // namespace snapflow
