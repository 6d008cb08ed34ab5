"""Opens a `snapflow run` XDMF sidecar with ParaView's default reader (run by pvbatch) and
checks what ParaView shows: the 2-D grid in the x-y plane, density and 3-component velocity
as cell arrays equal to the HDF5 values, one time step per frame; then renders density with
velocity glyphs to an image.

Usage: pvbatch paraview_check.py RUN.xmf RUN.h5 IMAGE.png [render]
"""
import os
import sys

import h5py
import numpy as np
from paraview import servermanager
from paraview.simple import (CellCenters, ColorBy, CreateRenderView, Glyph, OpenDataFile,
                             ResetCamera, SaveScreenshot, Show)
from vtk.numpy_interface import dataset_adapter as dsa

xmf, h5, image = sys.argv[1:4]
render = len(sys.argv) > 4 and sys.argv[4] == "render"
problems = []
with h5py.File(h5, "r") as f:
    density = f["frames/density"][()]
    velocity = f["frames/velocity"][()]
    times = f["frames/time"][:-1]
    nx, ny = int(f.attrs["nx"]), int(f.attrs["ny"])
    x0, y0, dx, dy = (float(f.attrs[k]) for k in ("x0", "y0", "dx", "dy"))

# As the GUI does: an absolute path (XDMF 3 resolves the HDF5 file against its directory).
reader = OpenDataFile(os.path.abspath(xmf))
print("reader", reader.GetXMLName())
steps = list(reader.TimestepValues)
if len(steps) != len(times) or not np.allclose(steps, times):
    problems.append(f"{len(steps)} time steps, want {len(times)}")
frame = min(2, len(times) - 1)
reader.UpdatePipeline(times[frame])
bounds = reader.GetDataInformation().GetBounds()
want = (x0, x0 + nx * dx, y0, y0 + ny * dy, 0.0, 0.0)
if not np.allclose(bounds, want, rtol=1e-9, atol=1e-6 * max(nx * dx, ny * dy)):
    problems.append(f"bounds {bounds}, want the x-y plane {want}")
data = dsa.WrapDataObject(servermanager.Fetch(reader))
names = list(data.CellData.keys())
if "density" not in names or "velocity" not in names:
    problems.append(f"cell arrays {names}")
else:
    # VTK orders cells x fastest, then y: the HDF5 [j][i] order.
    shown_density = np.asarray(data.CellData["density"])
    shown_velocity = np.asarray(data.CellData["velocity"])
    if not np.array_equal(shown_density, density[frame].reshape(-1)):
        problems.append("density differs from /frames/density")
    if shown_velocity.shape != (nx * ny, 3) or \
            not np.array_equal(shown_velocity[:, :2], velocity[frame].reshape(-1, 2)) or \
            np.any(shown_velocity[:, 2] != 0):
        problems.append(f"velocity {shown_velocity.shape} differs from /frames/velocity")

if render and not problems:
    view = CreateRenderView()
    view.ViewSize = [640, 640]
    view.ViewTime = times[frame]
    shown = Show(reader, view)
    ColorBy(shown, ("CELLS", "density"))
    shown.Opacity = 0.6
    arrows = Glyph(Input=CellCenters(Input=reader), GlyphType="Arrow")
    arrows.OrientationArray = ["POINTS", "velocity"]
    arrows.ScaleArray = ["POINTS", "velocity"]
    arrows.ScaleFactor = 2.0 * max(dx, dy) / max(1e-30, float(np.abs(velocity[frame]).max()))
    arrows.GlyphMode = "Every Nth Point"
    arrows.Stride = 2
    Show(arrows, view)
    view.CameraPosition = [0, 0, 1]
    view.CameraFocalPoint = [0, 0, 0]
    view.CameraViewUp = [0, 1, 0]
    ResetCamera(view)
    SaveScreenshot(image, view, ImageResolution=[640, 640])
    from vtkmodules.vtkIOImage import vtkPNGReader
    png = vtkPNGReader()
    png.SetFileName(image)
    png.Update()
    pixels = dsa.WrapDataObject(png.GetOutput()).PointData[0]
    if len(np.unique(np.asarray(pixels).reshape(len(pixels), -1), axis=0)) < 10:
        problems.append("the rendered image is (nearly) one colour")

for p in problems:
    print(p)
print("paraview_check:", "failed" if problems else "passed")
sys.exit(1 if problems else 0)
