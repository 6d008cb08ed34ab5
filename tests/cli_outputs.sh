#!/usr/bin/env bash
# What analysts open: a run output on a grid in UTM 32N with people as units and epoch times
# reads in xarray (h5netcdf and netCDF4 engines) with named coordinates, lon/lat and dates;
# its XDMF sidecar shows density and velocity in the x-y plane in ParaView's default reader
# (skipped with a message without ParaView); `snapflow export` writes skmob, flowmap.blue and
# GeoJSON files whose flows sum to the run's trips (/od/trips, from the run's zones) or to the
# zone crossings of /frames/flow (square tiles, a zone polygon file); plot_flows.py draws a window and animates
# the run; bad requests are refused with messages.
set -u
snapflow=$1 mpiexec=$2 dir=$3 source_dir=$4
python=/usr/bin/python3
readers="$python $source_dir/tests/output_readers.py"
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
failures=0 passed=0
check() {  # name, condition (0 = pass), detail
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else echo "FAIL $1: $3"; failures=$((failures + 1)); fi
}

"$snapflow" synth vortex -n 24 -snapshots 12 -o v.h5 > /dev/null || { echo "synth failed"; exit 1; }
# The vortex placed on Milan: 250 m cells in UTM 32N, ten-minute snapshots from 2013-11-01,
# four zones (quadrants) and one strip without zone.
$python - <<'PY' || { echo "making the geo input failed"; exit 1; }
import h5py, numpy as np
with h5py.File("v.h5") as a, h5py.File("geo.h5", "w") as b:
    b["density"] = a["density"][()] * 1000.0
    b["time"] = 1383264000.0 + np.arange(a["time"].shape[0]) * 600.0
    b.attrs.update(dx=250.0, dy=250.0, x0=509000.0, y0=5029000.0, crs="EPSG:32632",
                   units="people", time_units="seconds since 1970-01-01T00:00:00Z")
    zones = np.full((24, 24), -1, np.int32)
    zones[:12, :12], zones[:12, 12:], zones[12:, :12], zones[12:22, 12:] = 11, 12, 13, 14
    b["zones"] = zones
PY
out=$("$mpiexec" -n 2 "$snapflow" run -i geo.h5 -o run.h5 -fine_dt 120 2>&1); status=$?
[ $status -eq 0 ] && [ -f run.h5 ] && [ -f run.xmf ]; check run $? "$out"

msg=$($readers xarray run.h5 2>&1); check xarray $? "$msg"

if command -v pvbatch > /dev/null; then
  # Reading first (no display needed), then rendering under a virtual X server: a server
  # that does not come up is a note, not a failure of the output.
  msg=$(pvbatch "$source_dir/tests/paraview_check.py" run.xmf run.h5 pv.png 2>&1)
  [[ "$msg" == *"reader Xdmf3ReaderS"*"paraview_check: passed"* ]]; check paraview $? "$msg"
  if command -v xvfb-run > /dev/null; then
    for attempt in 1 2 3; do
      msg=$(xvfb-run -a -s "-screen 0 800x800x24" pvbatch "$source_dir/tests/paraview_check.py" \
        run.xmf run.h5 pv.png render 2>&1)
      [[ "$msg" == *"bad X server connection"* || "$msg" == *"Xvfb failed"* ]] || break
    done
    if [[ "$msg" == *"bad X server connection"* || "$msg" == *"Xvfb failed"* ]]; then
      echo "note: the virtual X server did not come up: ParaView's rendering is not checked"
    else
      [[ "$msg" == *"paraview_check: passed"* ]] && [ -s pv.png ]; check paraview_render $? "$msg"
    fi
  else
    echo "note: xvfb-run not installed (Debian: xvfb): ParaView's reading is checked, not its rendering"
  fi
else
  echo "SKIP paraview: pvbatch not installed (Debian: python3-paraview)"
fi

export_run() { "$mpiexec" -n 2 "$snapflow" export -i "$1" "${@:2}" 2>&1; }
for format in skmob flowmap geojson; do
  out=$(export_run run.h5 -format $format -o ex-$format); status=$?
  msg=$($readers exports run.h5 ex-$format $format 2>&1); read_status=$?
  [ $status -eq 0 ] && [ $read_status -eq 0 ]; check export_$format $? "$msg $out"
done
[ ! -e ex-skmob/flows.csv.partial ]; check no_partials $? "$(ls ex-skmob)"

# Tiles of 6 x 6 cells, and zones from a GeoJSON of two polygons in lon/lat (the west and east
# halves of the grid, split at x = 512000 m): their crossings are computed here from the
# cell centres.
out=$(export_run run.h5 -format flowmap -zone_cells 6 -o ex-tiles); status=$?
$python -c "
import numpy as np; j, i = np.mgrid[0:24, 0:24]; np.save('tiles.npy', ((j // 6) * 4 + i // 6).astype(np.int32))"
msg=$($readers exports run.h5 ex-tiles flowmap tiles.npy 2>&1); read_status=$?
[ $status -eq 0 ] && [ $read_status -eq 0 ]; check export_tiles $? "$msg $out"
$python - <<'PY'
import json, numpy as np
from osgeo import osr
utm, wgs = osr.SpatialReference(), osr.SpatialReference()
utm.ImportFromEPSG(32632); wgs.ImportFromEPSG(4326)
for s in (utm, wgs): s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
to_lon_lat = osr.CoordinateTransformation(utm, wgs)
def ring(x0, x1):
    corners = [(x0, 5028000), (x1, 5028000), (x1, 5036000), (x0, 5036000), (x0, 5028000)]
    return [list(to_lon_lat.TransformPoint(x, y)[:2]) for x, y in corners]
features = [{"type": "Feature", "properties": {"district": d},
             "geometry": {"type": "Polygon", "coordinates": [ring(a, b)]}}
            for d, (a, b) in ((7, (508000, 512000)), (9, (512000, 516000)))]
json.dump({"type": "FeatureCollection", "features": features}, open("districts.geojson", "w"))
x = 509000 + (np.arange(24) + 0.5) * 250
np.save("districts.npy", np.where(x[None, :] < 512000, 7, 9).repeat(24, 0).astype(np.int32))
PY
out=$(export_run run.h5 -format skmob -zones districts.geojson -zone_field district -o ex-districts); status=$?
msg=$($readers exports run.h5 ex-districts skmob districts.npy 2>&1); read_status=$?
[ $status -eq 0 ] && [ $read_status -eq 0 ]; check export_zone_file $? "$msg $out"

# Plots: one window (PNG) and the whole run (GIF, one image per window).
out=$($python "$source_dir/scripts/plot_flows.py" run.h5 -o plot.png 2>&1); status=$?
[ $status -eq 0 ] && [[ "$(head -c 8 plot.png | od -An -c | tr -d ' ')" == *PNG* ]]; check plot $? "$out"
out=$($python "$source_dir/scripts/plot_flows.py" run.h5 -animate anim.gif 2>&1); status=$?
msg=$($python -c "from PIL import Image; im = Image.open('anim.gif'); assert im.n_frames == 11, im.n_frames" 2>&1)
[ $status -eq 0 ]; check animation $? "$msg $out"

# Refusals: a partial run, a run without zones or CRS, a zone field that is not there.
cp run.h5 partial.h5
$python -c "import h5py; h5py.File('partial.h5', 'a').attrs['complete'] = 0"
out=$(export_run partial.h5 -format skmob -o ex-bad); status=$?
[ $status -ne 0 ] && [[ "$out" == *"partial.h5"*"not complete"*"-resume"* ]]; check refuses_partial $? "$out"
"$mpiexec" -n 1 "$snapflow" run -i v.h5 -o plain.h5 -fine_dt 0.05 > /dev/null 2>&1
out=$(export_run plain.h5 -format flowmap -o ex-bad); status=$?
[ $status -ne 0 ] && [[ "$out" == *"names no CRS"*"-crs"* ]]; check needs_crs $? "$out"
out=$(export_run plain.h5 -format flowmap -crs EPSG:32632 -o ex-bad); status=$?
[ $status -ne 0 ] && [[ "$out" == *"has no zones"*"-zones FILE"*"-zone_cells N"* ]]; check needs_zones $? "$out"
out=$(export_run run.h5 -format skmob -zones districts.geojson -zone_field county -o ex-bad); status=$?
[ $status -ne 0 ] && [[ "$out" == *"districts.geojson"*"no attribute 'county'"* ]]; check zone_field $? "$out"
$python -c "
import json
square = [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]  # lon/lat far from the grid
json.dump({'type': 'FeatureCollection', 'features': [{'type': 'Feature', 'properties': {'district': 1},
           'geometry': {'type': 'Polygon', 'coordinates': square}}]}, open('elsewhere.geojson', 'w'))"
out=$(export_run run.h5 -format skmob -zones elsewhere.geojson -o ex-bad); status=$?
[ $status -ne 0 ] && [[ "$out" == *"elsewhere.geojson"*"no polygon holds a cell centre"* ]]
check zones_elsewhere $? "$out"
out=$(export_run run.h5 -format kml -o ex-bad); status=$?
[ $status -ne 0 ] && [[ "$out" == *"-format"*"kml"*"skmob, flowmap, geojson"* ]]; check format $? "$out"

# A "month" of three days of geo.h5 (snapshots 0-4, 4-8, 8-11) merged into one series, copied
# and linked: each equals the days joined, opens in xarray and in ParaView; days that cannot
# be merged are all named with their numbers.
days=()
for d in 0 1 2; do
  first=$((4 * d)) last=$((4 * d + 4)); [ $d -eq 2 ] && last=11
  out=$("$mpiexec" -n 2 "$snapflow" run -i geo.h5 -o day$d.h5 -fine_dt 120 -snapshots $first:$last 2>&1)
  check day_$d $? "$out"
  days+=(day$d.h5)
done
for layout in copy linked; do
  out=$("$mpiexec" -n 2 "$snapflow" merge -o month-$layout.h5 -layout $layout -summary month-$layout.json "${days[@]}" 2>&1)
  status=$?; [ $status -eq 0 ] && [[ "$out" == *"merge: 3 days"* ]] && [ -f month-$layout.xmf ]
  check merge_$layout $? "$out"
  msg=$($python "$source_dir/tests/merge_check.py" month-$layout.h5 "${days[@]}" 2>&1); check series_$layout $? "$msg"
  msg=$($readers xarray month-$layout.h5 2>&1); check series_xarray_$layout $? "$msg"
done
if command -v pvbatch > /dev/null; then
  msg=$(pvbatch "$source_dir/tests/paraview_check.py" month-linked.xmf month-linked.h5 pvm.png 2>&1)
  [[ "$msg" == *"paraview_check: passed"* ]]; check series_paraview $? "$msg"
fi
out=$("$snapflow" run -i geo.h5 -o other.h5 -fine_dt 60 -snapshots 8:11 2>&1)
out=$("$snapflow" merge -o bad.h5 day0.h5 gone.h5 other.h5 2>&1); status=$?
[ $status -ne 0 ] && [[ "$out" == *"2 of 3 days cannot be merged"* ]] && [[ "$out" == *"day 1 ('gone.h5'): missing"* ]] &&
  [[ "$out" == *"day 2 ('other.h5'): made with other settings than day 0: fine_dt = 120 vs 60"* ]] &&
  [[ "$out" == *"--array=1,2 "* ]] && [ ! -e bad.h5 ] && [ ! -e bad.h5.partial ]
check merge_refused $? "$out"
out=$("$snapflow" merge -o bad.h5 day0.h5 day2.h5 2>&1); status=$?
[ $status -ne 0 ] && [[ "$out" == *"day 1 ('day2.h5'): starts at t = "*"must share their boundary snapshot"* ]]
check merge_gap $? "$out"
out=$("$snapflow" merge -o day0.h5 day0.h5 day1.h5 2>&1); status=$?
[ $status -ne 0 ] && [[ "$out" == *"day0.h5"*"input"* ]]; check merge_over_input $? "$out"

echo "cli_outputs: $passed passed, $failures failed"
[ $failures -eq 0 ]
