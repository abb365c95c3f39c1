"""Find round plot markers of one colour in a chart image and print their pixel centres.

Usage: python scripts/chart_markers.py IMAGE.png --rgb 0,0,255 [--tol 80] [--box X0,Y0,X1,Y1]
       [--drop X0,Y0,X1,Y1] [--line-every PX]

The aid behind the ``px: [x, y]`` points of a curve file (``data/scenarios/curves``): pixels
within ``--tol`` of the colour (max abs difference per channel) form a mask; the connecting
line is thinner than the markers, so keeping the pixels deeper than 60% of the thickest
blob's radius (a Euclidean distance transform) leaves one core per marker, and each core's
centre of mass is printed. ``--box`` keeps only centres inside a rectangle (the plot area),
``--drop`` removes those inside another (the legend). ``--line-every PX`` reads a line
instead of markers: every PX pixel columns inside ``--box``, the median row of the pixels
of that colour (a smoothed curve drawn over a lighter raw one: choose a tolerance that
excludes the lighter shade). Also prints the gridlines (long runs of light-grey pixels) found in each
direction, from which the axis ticks are calibrated. Needs numpy, scipy and Pillow (the
``report`` extra); not part of the package.
"""

from __future__ import annotations

import argparse

import numpy as np
from PIL import Image
from scipy import ndimage


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("image")
    ap.add_argument("--rgb", required=True, help="marker colour, e.g. 0,0,255")
    ap.add_argument("--tol", type=int, default=80)
    ap.add_argument("--box", default="", help="X0,Y0,X1,Y1: keep centres inside")
    ap.add_argument("--drop", default="", help="X0,Y0,X1,Y1: drop centres inside (legend)")
    ap.add_argument("--line-every", type=int, default=0, help="read a line every PX columns")
    args = ap.parse_args()
    img = np.asarray(Image.open(args.image).convert("RGB")).astype(int)
    colour = np.array([int(c) for c in args.rgb.split(",")])
    mask = (np.abs(img - colour) <= args.tol).all(axis=2)
    box = [float(v) for v in args.box.split(",")] if args.box else None
    if args.line_every:
        x0, y0, x1, y1 = (int(v) for v in box) if box else (0, 0, mask.shape[1], mask.shape[0])
        print(f"# {args.image}: {img.shape[1]} x {img.shape[0]} px, line every {args.line_every}")
        for x in range(x0, x1, args.line_every):
            rows = np.where(mask[y0:y1, x])[0]
            if rows.size:
                print(f"- px: [{x:.1f}, {y0 + float(np.median(rows)):.1f}]")
        _gridlines(img)
        return
    depth = ndimage.distance_transform_edt(mask)
    core = depth > 0.6 * depth.max()
    labels, n = ndimage.label(core)
    centres = ndimage.center_of_mass(core, labels, range(1, n + 1))
    drop = [float(v) for v in args.drop.split(",")] if args.drop else None
    print(f"# {args.image}: {img.shape[1]} x {img.shape[0]} px, marker radius {depth.max():.0f}")
    for y, x in sorted(centres, key=lambda c: c[1]):
        if box and not (box[0] <= x <= box[2] and box[1] <= y <= box[3]):
            continue
        if drop and drop[0] <= x <= drop[2] and drop[1] <= y <= drop[3]:
            continue
        print(f"- px: [{x:.1f}, {y:.1f}]")
    _gridlines(img)


# Gridlines as matplotlib's default style draws them (the charts read here): grey, that is
# channels within GREY_SPREAD of each other, between GREY_LO and GREY_HI (#b0b0b0 is 176,
# anti-aliased edges lighter or darker); a line covers at least LINE_SHARE of its row or
# column; pixels of one line lie within LINE_GAP of each other. Chosen by eye on the shipped
# figures, and printed only as a hint for calibrating a curve's axes.
GREY_SPREAD, GREY_LO, GREY_HI = 8, 150, 200
LINE_SHARE, LINE_GAP = 0.25, 2


def _gridlines(img: np.ndarray) -> None:
    spread = np.ptp(img, axis=2)
    grey = (spread < GREY_SPREAD) & (img[..., 0] > GREY_LO) & (img[..., 0] < GREY_HI)
    for axis, name in ((0, "vertical gridlines at x"), (1, "horizontal gridlines at y")):
        counts = grey.sum(axis=axis)
        idx = np.where(counts > LINE_SHARE * img.shape[axis])[0]
        groups = np.split(idx, np.where(np.diff(idx) > LINE_GAP)[0] + 1) if idx.size else []
        at = [float(np.average(g, weights=counts[g])) for g in groups]
        print(f"# {name}: " + ", ".join(f"{v:.1f}" for v in at))


if __name__ == "__main__":
    main()
