#!/usr/bin/env bash
# `snapflow ingest` at 2 ranks on every format, checked against what the source files hold
# (tests/ingest_checks.py): Milan activity files on the real grid (any file order, a missing
# slot, re-binning, each kind of bad row refused or skipped), long CSV tables (by id on a grid
# file, by x/y with a cell size), rasters (times from file names, one band per time, nodata),
# points (the real HYCOM ocean particles, weighted CSV points). The ingest writes parallel
# HDF5 in the process that has loaded GDAL (and its serial HDF5).
set -u
snapflow=$1 mpiexec=$2 dir=$3 source_dir=$4 data_dir=$5
python=/usr/bin/python3
checks="$source_dir/tests/ingest_checks.py"
rm -rf "$dir" && mkdir -p "$dir"
failures=0 passed=0
pass() { passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
ingest() { timeout 300 "$mpiexec" -n 2 "$snapflow" ingest "$@" 2>&1; }
grid="$data_dir/milano-grid.geojson"
have_data=1
if [ ! -f "$grid" ]; then
  echo "cli_ingest: the shared data (milano-grid.geojson, oceans_*.npz) are not at $data_dir:"
  echo "cli_ingest: SKIPPING the Milan and ocean cases"
  have_data=0
fi

if [ $have_data -eq 1 ]; then
# Milan: 2 files, rows shuffled, slot 3 missing, one bad row of each kind.
"$python" "$source_dir/scripts/make_milano_day.py" "$dir/milan" --slots 8 --files 2 --shuffle \
  --bad-rows --drop-slots 3 > /dev/null || { echo "make_milano_day.py failed"; exit 1; }
files=("$dir"/milan/*.txt)
output=$(ingest -format milano -grid "$grid" -o "$dir/milan.h5" "${files[@]}")
status=$?
expected_kinds=("a.txt:4: 6 fields, expected 8" "not a number" "off the 10-minute slot grid"
                "negative activity" "square 10001 is not in the grid" "give -bad_rows skip")
ok=1
for kind in "${expected_kinds[@]}"; do [[ "$output" == *"${kind#a.txt}"* ]] || ok=0; done
if [ $status -ne 1 ] || [ $ok -ne 1 ] || [[ "$output" != *"5 bad row(s)"* ]] || [ -e "$dir/milan.h5" ]; then
  fail "milano bad rows refused: exit $status: $output"
else pass; fi
output=$(ingest -format milano -grid "$grid" -o "$dir/milan.h5" -bad_rows skip "${files[@]}")
if [ $? -ne 0 ] || [[ "$output" != *"1 source slot(s) of 600 s are missing"* ]] ||
   [[ "$output" != *"skipped 5 bad row(s)"* ]]; then
  fail "milano skip: $output"
elif "$python" "$checks" check-milano "$dir/milan.h5" "$dir/milan/expected.npz" internet 600 3; then pass
else failures=$((failures + 1)); fi
# Files in the other order give the same file; -variable all; two slots per snapshot.
output=$(ingest -format milano -grid "$grid" -o "$dir/milan_reversed.h5" -bad_rows skip "${files[1]}" "${files[0]}")
if [ $? -eq 0 ] && "$python" "$checks" same "$dir/milan.h5" "$dir/milan_reversed.h5"; then pass
else fail "milano file order: $output"; fi
output=$(ingest -format milano -grid "$grid" -o "$dir/milan_all.h5" -bad_rows skip -variable all -interval 1200 "${files[@]}")
if [ $? -eq 0 ] && "$python" "$checks" check-milano "$dir/milan_all.h5" "$dir/milan/expected.npz" all 1200 3; then pass
else fail "milano -variable all -interval 1200: $output"; fi
output=$(ingest -format milano -grid "$grid" -o "$dir/never.h5" -interval 900 "${files[@]}")
if [ $? -ne 1 ] || [[ "$output" != *"900 s is not a whole number of the source's 10-minute slots"* ]]; then
  fail "milano -interval 900: $output"
else pass; fi
output=$(ingest -format milano -grid "$grid" -o "${files[0]}" "${files[@]}")
if [ $? -ne 1 ] || [[ "$output" != *"the command would replace its input"* ]]; then fail "output = input: $output"
else pass; fi
output=$(ingest -format milano -grid "$grid" -o "$dir/never.h5" "$dir/no_such_file.txt")
if [ $? -ne 1 ] || [[ "$output" != *"no_such_file.txt"* ]]; then fail "missing input file: $output"
else pass; fi
output=$(ingest -format milano -o "$dir/never.h5" "${files[@]}")
if [ $? -ne 1 ] || [[ "$output" != *"needs the grid of squares"* ]]; then fail "milano without grid: $output"
else pass; fi
# The pipeline reads the ingested day (the missing slot needs -missing interpolate).
output=$(timeout 300 "$mpiexec" -n 2 "$snapflow" info "$dir/milan.h5" 2>&1)
if [ $? -ne 0 ] || [[ "$output" != *"crs             WGS 84 / UTM zone 32N (EPSG:32632)"* ]] ||
   [[ "$output" != *"dates (UTC)     2013-10-31T23:00:00Z .. 2013-11-01T00:10:00Z"* ]]; then
  fail "info on the Milan file: $output"
else pass; fi
fi

# CSV: by square id on a GeoJSON grid (semicolons, ISO times, bad rows), and by x/y.
"$python" "$checks" make-csv "$dir"
output=$(ingest -format csv -grid "$dir/grid.geojson" -grid_id square -columns time=when,id=square,value=people -o "$dir/by_id.h5" "$dir/by_id.csv")
if [ $? -ne 1 ] || [[ "$output" != *"4 bad row(s)"* ]] || [[ "$output" != *"by_id.csv:"* ]] ||
   [[ "$output" != *"'yesterday' is neither"* ]] || [[ "$output" != *"cell id 999 is not in the grid"* ]]; then
  fail "csv bad rows refused: $output"
else pass; fi
output=$(ingest -format csv -grid "$dir/grid.geojson" -grid_id square -columns time=when,id=square,value=people -bad_rows skip -o "$dir/by_id.h5" "$dir/by_id.csv")
if [ $? -eq 0 ] && "$python" "$checks" check-csv "$dir/by_id.h5" "$dir" by_id; then pass
else fail "csv by id: $output"; fi
output=$(ingest -format csv -cell_size 100 -crs EPSG:32632 -columns time=t,x=x,y=y,value=n -o "$dir/by_xy.h5" "$dir/by_xy.csv")
if [ $? -eq 0 ] && "$python" "$checks" check-csv "$dir/by_xy.h5" "$dir" by_xy; then pass
else fail "csv by x/y: $output"; fi
# The same rows by lon/lat (gdaltransform from gdal-bin), placed back in UTM 32N by PROJ.
{ echo "t,lon,lat,n"
  tail -n +2 "$dir/by_xy.csv" | while IFS=, read -r t x y n; do
    read -r lon lat _ < <(echo "$x $y" | gdaltransform -s_srs EPSG:32632 -t_srs EPSG:4326 -output_xy 2>/dev/null || echo "$x $y")
    echo "$t,$lon,$lat,$n"
  done; } > "$dir/by_lonlat.csv"
output=$(ingest -format csv -cell_size 100 -crs EPSG:32632 -columns time=t,lon=lon,lat=lat,value=n -o "$dir/by_lonlat.h5" "$dir/by_lonlat.csv")
if [ $? -eq 0 ] && "$python" "$checks" check-csv "$dir/by_lonlat.h5" "$dir" by_xy; then pass
else fail "csv by lon/lat: $output"; fi
output=$(ingest -format csv -cell_size 100 -columns time=t,x=x,y=y,value=people -o "$dir/never.h5" "$dir/by_xy.csv")
if [ $? -ne 1 ] || [[ "$output" != *"has no column 'people'"* ]]; then fail "csv unknown column: $output"
else pass; fi

# Rasters: GeoTIFFs from ASCII grids with gdal_translate (times from the names), and one
# raster with a band per time.
"$python" "$checks" make-rasters "$dir"
for asc in "$dir"/presence_*.asc; do
  gdal_translate -q -of GTiff -a_srs EPSG:32632 "$asc" "${asc%.asc}.tif" || fail "gdal_translate $asc"
done
output=$(ingest -format geotiff -o "$dir/rasters.h5" "$dir"/presence_*.tif)
if [ $? -eq 0 ] && "$python" "$checks" check-rasters "$dir/rasters.h5" "$dir"; then pass
else fail "geotiff from file names: $output"; fi
gdalbuildvrt -q -separate "$dir/bands.vrt" "$dir"/presence_*.tif && gdal_translate -q "$dir/bands.vrt" "$dir/bands.tif"
output=$(ingest -format geotiff -times 2013-11-01T08:00:00Z,2013-11-01T08:15:00Z,1383294600 -o "$dir/bands.h5" "$dir/bands.tif")
if [ $? -eq 0 ] && "$python" "$checks" check-rasters "$dir/bands.h5" "$dir"; then pass
else fail "geotiff bands: $output"; fi
output=$(ingest -format geotiff -o "$dir/never.h5" "$dir/bands.tif")
if [ $? -ne 1 ] || [[ "$output" != *"holds 3 bands: give their times with -times"* ]]; then
  fail "geotiff bands without times: $output"
else pass; fi

# Points: the real HYCOM ocean particles, and weighted CSV points.
for npz in oceans_with_v0 big_oceans_forecast; do
  [ $have_data -eq 1 ] || break
  output=$(ingest -format points -nx 40 -o "$dir/$npz.h5" "$data_dir/$npz.npz")
  if [ $? -eq 0 ] && "$python" "$checks" check-points "$dir/$npz.h5" "$data_dir/$npz.npz"; then pass
  else fail "points $npz: $output"; fi
done
"$python" "$checks" make-points "$dir"
output=$(ingest -format points -cell_size 0.5 -deposit ngp -o "$dir/points.h5" "$dir/points.csv")
if [ $? -eq 0 ] && "$python" "$checks" check-points "$dir/points.h5" "$dir/points.csv"; then pass
else fail "points csv: $output"; fi

echo "cli_ingest: $passed passed, $failures failed"
[ $failures -eq 0 ]
