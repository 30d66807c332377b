"""Texts written on a map (place names, flows' numbers) placed so that no two texts, and no text and
marker, cover each other, and none leaves the frame.

Worked in pixels of the map's plot at its narrowest: the maps keep one scale on both axes
(`scaleanchor`), so a wider plot only moves places further apart. A box is (centre x, centre y,
half width, half height), pixels, y up.
"""
from __future__ import annotations

from dashboard.figures import briefing

Box = tuple[float, float, float, float]
HALF_LINE = 8  # half the height of one line of 11-12 px text, with its halo
# out from a point: up, down, right, left, then the diagonals
DIRECTIONS = ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1))


def half_width(text: str, size: float) -> float:
    return briefing.text_width(text, size) / 2 + 2


def around(half_w: float, half_h: float, gaps=(14, 28, 44)) -> list[tuple[float, float]]:
    """Centres for a text of that size out from a point, each direction in turn, `gap` pixels
    between the point and the text's nearest edge."""
    return [(ux * (half_w + gap), uy * (half_h + gap)) for gap in gaps for ux, uy in DIRECTIONS]


class Board:
    """What is written on a map so far: the markers and the texts, and the frame."""

    def __init__(self, x_range, y_range, ratio: float, plot: tuple[float, float]):
        self.scale = min(plot[0] / (x_range[1] - x_range[0]), plot[1] / ((y_range[1] - y_range[0]) * ratio))
        self.ratio = ratio
        centre = self.px((x_range[0] + x_range[1]) / 2, (y_range[0] + y_range[1]) / 2)
        self.frame: Box = (*centre, plot[0] / 2, plot[1] / 2)
        self.markers: list[Box] = []
        self.texts: list[Box] = []

    def px(self, x: float, y: float) -> tuple[float, float]:
        return x * self.scale, y * self.scale * self.ratio

    def data(self, x: float, y: float) -> tuple[float, float]:
        """A point in pixels back in the axes' units."""
        return x / self.scale, y / (self.scale * self.ratio)

    def covered(self, box: Box) -> float:
        """The area of `box` (pixels squared) over markers and texts already there."""
        return sum(_overlap(box, b) for b in self.markers + self.texts)

    def inside(self, box: Box) -> bool:
        f = self.frame
        return abs(box[0] - f[0]) <= f[2] - box[2] and abs(box[1] - f[1]) <= f[3] - box[3]

    def free(self, box: Box, leader_from: tuple[float, float] | None = None) -> bool:
        """In the frame and over nothing; with `leader_from`, a line from that point to the text
        crosses no text either."""
        if not self.inside(box) or self.covered(box):
            return False
        if leader_from is None:
            return True
        x0, y0 = leader_from  # the line may pass markers, not texts
        return not any(_overlap((x0 + (box[0] - x0) * s / 10, y0 + (box[1] - y0) * s / 10, 1, 1), b)
                       for s in range(2, 9) for b in self.texts)

    def spot(self, x: float, y: float, half_w: float, half_h: float, near, far=(), fallback: bool = True
             ) -> tuple[float, float, bool] | None:
        """The first free place (dx, dy, leader) for a text of that size about the point (x, y):
        offsets `near` it, else `far` with a leader line back to the point; else, with `fallback`,
        where it covers least inside the frame, and None without."""
        options = [(dx, dy, False) for dx, dy in near] + [(dx, dy, True) for dx, dy in far]
        for dx, dy, leader in options:
            if self.free((x + dx, y + dy, half_w, half_h), (x, y) if leader else None):
                return dx, dy, leader
        if not fallback:
            return None
        return min(options, key=lambda o: self.covered((x + o[0], y + o[1], half_w, half_h))
                   + (0 if self.inside((x + o[0], y + o[1], half_w, half_h)) else 1e9))


def _overlap(a: Box, b: Box) -> float:
    return max(0.0, a[2] + b[2] - abs(a[0] - b[0])) * max(0.0, a[3] + b[3] - abs(a[1] - b[1]))
