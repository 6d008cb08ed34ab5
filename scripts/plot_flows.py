#!/usr/bin/python3
"""Flow arrows over density from a `snapflow run` output, like the seed paper's figures.

Usage: plot_flows.py RUN.h5 [-frame F | -time T] [-window S] [-o PLOT.png]
                     [-block B] [-min_share X] [-truth IN.h5] [-animate OUT.mp4|OUT.gif]

The flows of consecutive frames are summed over a window (-window seconds: by default 60 s for
runs longer than an hour, such as a province day, else one frame) and over blocks of B x B
cells (default: about 45 blocks across). Each block with a significant move (at least
-min_share, default 0.05, of the window's largest moved mass) gets one arrow from its mass
centre along the mean displacement of its mass over the window, darker for more people moved;
a key gives the arrow scale. Density (mean over the window) is drawn on a log colour scale.
Axes are in km (metric CRS) or lon/lat (geographic CRS); epoch times are shown in UTC.

-frame picks the window holding that frame (default: the window with the most moved mass),
-time the one holding that time (seconds, or an ISO 8601 date for epoch times). -truth adds
the known /truth/velocity of a synthetic input (red). -animate writes every window as an MP4
(ffmpeg) or GIF (Pillow). Runs on Debian's /usr/bin/python3 (numpy, h5py, matplotlib;
python3-pil or ffmpeg for -animate).
"""
import argparse
import datetime
import os
import sys

try:
    import h5py
    import numpy as np
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import animation, colors
except ImportError as error:
    sys.exit(f"plot_flows: {error.name} is missing: install Debian's python3-numpy, python3-h5py "
             f"and python3-matplotlib (apt install python3-matplotlib python3-h5py)")

# A light density map, so that the darker arrows of heavier moves stand out on it.
LIGHT = colors.LinearSegmentedColormap.from_list("light", plt.get_cmap("YlGnBu")(np.linspace(0, 0.55, 256)))

# Cell offsets of the 9 flow directions d = (oy + 1) * 3 + (ox + 1).
OFFSET_X = np.array([-1, 0, 1] * 3, dtype=np.float64)
OFFSET_Y = np.repeat([-1.0, 0.0, 1.0], 3)


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], prefix_chars="-")
    p.add_argument("run")
    p.add_argument("-frame", type=int)
    p.add_argument("-time")
    p.add_argument("-window", type=float, default=None)
    p.add_argument("-o", default=None)
    p.add_argument("-block", type=int, default=0)
    p.add_argument("-min_share", type=float, default=0.05)
    p.add_argument("-truth", default=None)
    p.add_argument("-animate", default=None)
    p.add_argument("-stride", type=int, default=0, help=argparse.SUPPRESS)  # old name of -block
    return p.parse_args()


def text_attribute(attrs, name, default=""):
    value = attrs.get(name, default)
    return value.decode() if isinstance(value, bytes) else str(value)


class Run:
    """The parts of a run output the plots read."""

    def __init__(self, path):
        self.path = path
        self.file = h5py.File(path, "r")
        f = self.file
        if f.attrs.get("complete") != 1:
            print(f"plot_flows: warning: {path} is not complete (attribute complete = 0): "
                  f"frames not done yet are left out", file=sys.stderr)
        self.times = f["frames/time"][()]
        self.done = f["frames/done"][()].astype(bool)
        self.frames = len(self.times) - 1
        self.dx, self.dy = float(f.attrs["dx"]), float(f.attrs["dy"])
        self.x0, self.y0 = float(f.attrs.get("x0", 0.0)), float(f.attrs.get("y0", 0.0))
        self.ny, self.nx = f["frames/density"].shape[1:]
        # The mass unit: "people" also when the input says "people per cell".
        units = text_attribute(f.attrs, "units") or "mass"
        self.units = units[:-len(" per cell")] if units.endswith(" per cell") else units
        self.crs = text_attribute(f.attrs, "crs")
        time_units = text_attribute(f.attrs, "time_units")
        self.epoch = time_units.startswith("seconds since 1970-01-01")
        self.time_of_day = "since 00:00" in time_units  # the synthetic day
        # The output's CF description says whether x is a longitude.
        x_name = text_attribute(f["frames/x"].attrs, "standard_name") if "frames/x" in f else ""
        self.geographic = x_name == "longitude"

    def windows(self, seconds):
        """[(first frame, end frame)] covering the run, each at least `seconds` long."""
        result, start = [], 0
        for k in range(self.frames):
            if self.times[k + 1] - self.times[start] >= seconds or k == self.frames - 1:
                result.append((start, k + 1))
                start = k + 1
        return result

    def window_data(self, first, end):
        """Summed flows [ny, nx, 9] and mean density over frames first..end-1 (done only)."""
        flow = np.zeros((self.ny, self.nx, 9))
        density = np.zeros((self.ny, self.nx))
        count = 0
        for k in range(first, end):
            if self.done[k]:
                flow += self.file["frames/flow"][k]
                density += 0.5 * (self.file["frames/density"][k] + self.file["frames/density"][k + 1])
                count += 1
        return flow, density / max(count, 1), count

    def time_text(self, t):
        if self.epoch:
            return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        if self.time_of_day:
            return f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}:{int(t % 60):02d}"
        return f"t = {t:g} s"


def block_arrows(run, flow, density, block):
    """Per block: mass centre (x, y), displacement (u, v) of its mass, moved mass, mass."""
    ny, nx = density.shape
    by, bx = -(-ny // block), -(-nx // block)
    pad = ((0, by * block - ny), (0, bx * block - nx))
    mass = np.maximum(np.pad(density, pad), 0).reshape(by, block, bx, block)
    xs = run.x0 + (np.arange(bx * block) + 0.5) * run.dx
    ys = run.y0 + (np.arange(by * block) + 0.5) * run.dy
    X, Y = np.meshgrid(xs, ys)
    X, Y = X.reshape(by, block, bx, block), Y.reshape(by, block, bx, block)
    # Displacement of the mass leaving each cell, from the flows of the 9 directions.
    moved_x = np.pad(flow @ (OFFSET_X * run.dx), pad).reshape(by, block, bx, block)
    moved_y = np.pad(flow @ (OFFSET_Y * run.dy), pad).reshape(by, block, bx, block)
    leaving = np.pad(flow.sum(axis=2) - flow[..., 4], pad).reshape(by, block, bx, block)
    total = mass.sum(axis=(1, 3))
    safe = np.where(total > 0, total, 1.0)
    cx = (mass * X).sum(axis=(1, 3)) / safe
    cy = (mass * Y).sum(axis=(1, 3)) / safe
    u = moved_x.sum(axis=(1, 3)) / safe
    v = moved_y.sum(axis=(1, 3)) / safe
    return cx, cy, u, v, leaving.sum(axis=(1, 3)), total


def axis_scale(run):
    """Factor and label of the plot's axes."""
    if run.geographic:
        return 1.0, "longitude (deg)", "latitude (deg)"
    extent = max(run.nx * run.dx, run.ny * run.dy)
    where = f", {run.crs}" if run.crs and len(run.crs) <= 20 else ""
    if extent >= 5000:
        return 1e-3, f"x (km{where})", f"y (km{where})"
    return 1.0, "x", "y"


def draw(run, ax, fig, first, end, args, block, with_colorbar=True):
    flow, density, count = run.window_data(first, end)
    scale, xlabel, ylabel = axis_scale(run)
    extent = np.array([run.x0, run.x0 + run.nx * run.dx, run.y0, run.y0 + run.ny * run.dy]) * scale
    positive = density[density > 0]
    top = positive.max() if positive.size else 1.0
    norm = colors.LogNorm(vmin=max(positive.min() if positive.size else 1e-6, top * 1e-4), vmax=top)
    image = ax.imshow(np.where(density > 0, density, np.nan), origin="lower", cmap=LIGHT,
                      norm=norm, extent=extent, interpolation="nearest")
    if with_colorbar:
        fig.colorbar(image, ax=ax, shrink=0.8, label=f"{run.units} per cell (log scale)")
    cx, cy, u, v, moved, total = block_arrows(run, flow, density, block)
    significant = (moved >= args.min_share * moved.max()) & (moved > 0) & (total > 0)
    length = np.hypot(u, v)[significant]
    # Arrows drawn at a common scale: the longest significant one spans about 1.5 blocks.
    arrow_scale = 1.5 * block * max(run.dx, run.dy) / max(length.max() if length.size else 1.0, 1e-30)
    if significant.any():
        order = np.argsort(moved[significant])  # the heaviest drawn last, on top
        shade = plt.get_cmap("Greys")(0.35 + 0.65 * moved[significant][order] / moved.max())
        q = ax.quiver(cx[significant][order] * scale, cy[significant][order] * scale,
                      u[significant][order] * arrow_scale * scale,
                      v[significant][order] * arrow_scale * scale, color=shade, angles="xy",
                      scale_units="xy", scale=1.0, width=0.004, headwidth=3.5)
        key = float(np.quantile(length, 0.9))
        duration = run.times[end] - run.times[first]
        speed = key / max(duration, 1e-30)
        speed_text = f"{speed * 3.6:.3g} km/h" if scale == 1e-3 else f"{speed:.3g} per s"
        legend = ax.quiverkey(q, 0.04, 0.965, key * arrow_scale * scale,
                              f"{speed_text} over the window (lengths x {arrow_scale:.3g})",
                              labelpos="E", coordinates="axes", color="black")
        legend.text.set_fontsize(8)
        legend.text.set_backgroundcolor("white")
    if args.truth:
        draw_truth(run, ax, first, end, block, significant, cx, cy, arrow_scale, scale)
    window = run.times[end] - run.times[first]
    ax.set_title(f"{os.path.basename(run.path)}: {run.time_text(run.times[first])}, "
                 f"{window:g} s ({count} frame{'s' if count != 1 else ''})\n"
                 f"{int(significant.sum())} blocks of {block} x {block} cells moving >= "
                 f"{100 * args.min_share:g}% of the most; {moved.sum():.4g} {run.units} moved",
                 fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    return image


def draw_truth(run, ax, first, end, block, significant, cx, cy, arrow_scale, scale):
    with h5py.File(run.truth_path, "r") as g:
        tt = g["time"][()]
        middle = 0.5 * (run.times[first] + run.times[end])
        k = int(np.clip(np.searchsorted(tt, middle) - 1, 0, len(tt) - 1))
        truth = g["truth/velocity"][k]
    by, bx = cx.shape
    pad = ((0, by * block - run.ny), (0, bx * block - run.nx), (0, 0))
    mean = np.pad(truth, pad).reshape(by, block, bx, block, 2).mean(axis=(1, 3))
    duration = run.times[end] - run.times[first]
    ax.quiver(cx[significant] * scale, cy[significant] * scale,
              mean[..., 0][significant] * duration * arrow_scale * scale,
              mean[..., 1][significant] * duration * arrow_scale * scale, color="red",
              angles="xy", scale_units="xy", scale=1.0, width=0.0025, alpha=0.7)
    ax.plot([], [], color="red", label="truth")
    ax.legend(loc="lower right", fontsize=8)


def pick_window(run, windows, args):
    if args.frame is not None:
        if not 0 <= args.frame < run.frames:
            sys.exit(f"plot_flows: {run.path}: frame {args.frame} does not exist (0..{run.frames - 1})")
        return next(w for w in windows if w[0] <= args.frame < w[1])
    if args.time is not None:
        try:
            t = float(args.time)
        except ValueError:
            t = datetime.datetime.fromisoformat(args.time.replace("Z", "+00:00")).timestamp()
        k = int(np.clip(np.searchsorted(run.times, t, side="right") - 1, 0, run.frames - 1))
        return next(w for w in windows if w[0] <= k < w[1])
    flow = run.file["frames/flow"]
    moved = np.array([flow[k].sum() - flow[k][..., 4].sum() if run.done[k] else -1.0
                      for k in range(run.frames)])
    return max(windows, key=lambda w: moved[w[0]:w[1]].sum())


def main():
    args = parse()
    run = Run(args.run)
    run.truth_path = args.truth
    if not run.done.any():
        sys.exit(f"plot_flows: {args.run}: no frame has been computed yet")
    span = run.times[-1] - run.times[0]
    seconds = args.window if args.window is not None else (60.0 if span > 3600 else 0.0)
    windows = run.windows(seconds)
    block = args.block or args.stride or max(1, round(max(run.nx, run.ny) / 45))
    aspect = run.ny * run.dy / (run.nx * run.dx)
    size = (8.5, min(8.5 * aspect + 1.2, 12))
    base = args.run.rsplit(".", 1)[0]
    if args.animate:
        animate(run, windows, args, block, size)
        return
    first, end = pick_window(run, windows, args)
    fig, ax = plt.subplots(figsize=size)
    draw(run, ax, fig, first, end, args, block)
    out = args.o or f"{base}_frame{first}.png"
    fig.savefig(out, dpi=120, bbox_inches="tight")
    print(f"plot_flows: wrote {out} (frames {first}..{end - 1} of {run.frames})")


def animate(run, windows, args, block, size):
    out = args.animate
    if out.endswith(".gif"):
        try:
            import PIL  # noqa: F401
        except ImportError:
            sys.exit("plot_flows: -animate .gif needs Pillow (apt install python3-pil)")
        writer = animation.PillowWriter(fps=4)
    else:
        if not animation.FFMpegWriter.isAvailable():
            sys.exit("plot_flows: -animate .mp4 needs ffmpeg (apt install ffmpeg); or write a .gif")
        writer = animation.FFMpegWriter(fps=4, bitrate=2400)
    fig, ax = plt.subplots(figsize=size)
    shown = [w for w in windows if run.done[w[0]:w[1]].any()]
    with writer.saving(fig, out, dpi=90):
        for k, (first, end) in enumerate(shown):
            ax.clear()
            draw(run, ax, fig, first, end, args, block, with_colorbar=(k == 0))
            writer.grab_frame()
    print(f"plot_flows: wrote {out} ({len(shown)} windows of {run.frames} frames)")


if __name__ == "__main__":
    main()
