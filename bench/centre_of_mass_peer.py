#!/usr/bin/python3
"""Velocity error of a run's flows beside a centre-of-mass peer, on the same frames.

    centre_of_mass_peer.py RUN.h5 INPUT.h5

The peer moves every cell at the velocity of the centre of mass of the run's own frame
densities ((c(t1) - c(t0)) / (t1 - t0)): data only, no transport. For one round body it is
as good as density alone allows: a round bump turning about its own centre changes no cell,
so what any method can see of a rigid rotation is the orbit of the bump's centre, and the
peer's error is that of missing the turn about it. Both errors are measured as `snapflow run`
measures its own (4 x 4 blocks holding >= 10% of the largest block mass, mass-weighted,
the truth at each frame's middle time).
"""
import sys

import h5py
import numpy as np

BLOCK, THRESHOLD = 4, 0.10


def block_sums(field, ny, nx):
    """Sums of a [ny, nx, ...] field over BLOCK x BLOCK blocks (the last ones partial)."""
    by, bx = -(-ny // BLOCK), -(-nx // BLOCK)
    padded = np.zeros((by * BLOCK, bx * BLOCK) + field.shape[2:])
    padded[:ny, :nx] = field
    return padded.reshape(by, BLOCK, bx, BLOCK, *field.shape[2:]).sum(axis=(1, 3))


class Error:
    def __init__(self):
        self.error = self.truth = self.angle = self.angle_mass = 0.0

    def add(self, velocity, truth, mass):
        ny, nx = mass.shape
        m = block_sums(mass, ny, nx)
        keep = m >= THRESHOLD * m.max()
        with np.errstate(invalid="ignore", divide="ignore"):
            v = block_sums(velocity * mass[..., None], ny, nx)[keep] / m[keep, None]
            t = block_sums(truth * mass[..., None], ny, nx)[keep] / m[keep, None]
        w = m[keep]
        speed = np.hypot(t[:, 0], t[:, 1])
        self.error += (w * np.hypot(v[:, 0] - t[:, 0], v[:, 1] - t[:, 1])).sum()
        self.truth += (w * speed).sum()
        moving = speed > 0
        cross = v[:, 0] * t[:, 1] - v[:, 1] * t[:, 0]
        dot = (v * t).sum(axis=1)
        angle = np.where((v[:, 0] == 0) & (v[:, 1] == 0), np.pi, np.arctan2(np.abs(cross), dot))
        self.angle += (w * angle)[moving].sum()
        self.angle_mass += w[moving].sum()

    def text(self):
        return f"{self.error / self.truth:.3f} / {np.degrees(self.angle / self.angle_mass):.1f} deg"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with h5py.File(sys.argv[1], "r") as run, h5py.File(sys.argv[2], "r") as given:
        density = run["frames/density"][...].astype(float)
        velocity = run["frames/velocity"][...].astype(float)
        times = run["frames/time"][...]
        x, y = run["frames/x"][...], run["frames/y"][...]
        snapshot_times = given["time"][...]
        truth_velocity = given["truth/velocity"]
        xx, yy = np.meshgrid(x, y)
        ours, peer = Error(), Error()
        for f in range(velocity.shape[0]):
            start, end = np.maximum(density[f], 0), np.maximum(density[f + 1], 0)
            mass = 0.5 * (start + end)
            middle = 0.5 * (times[f] + times[f + 1])
            position = np.clip(np.interp(middle, snapshot_times, np.arange(len(snapshot_times))),
                               0, len(snapshot_times) - 1)
            before = int(min(np.floor(position), len(snapshot_times) - 2))
            weight = position - before
            truth = (1 - weight) * truth_velocity[before] + weight * truth_velocity[before + 1]
            centre = [((start * c).sum() / start.sum(), (end * c).sum() / end.sum())
                      for c in (xx, yy)]
            dt = times[f + 1] - times[f]
            drift = np.array([(c1 - c0) / dt for c0, c1 in centre])
            ours.add(velocity[f], truth, mass)
            peer.add(np.broadcast_to(drift, velocity[f].shape), truth, mass)
    print(f"centre_of_mass_peer: flows {ours.text()}, centre-of-mass peer {peer.text()}")


if __name__ == "__main__":
    main()
