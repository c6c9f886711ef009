"""Alpha-Refine's mask -> box step (official ``mask2bbox``).

Threshold the frame-sized probability mask at 0.5, take the external contours, and if the
largest one has an area above 100 pixels return the axis-aligned ``cv2.boundingRect`` of it
(integers, ``x, y, w, h``); otherwise fall back to the given box (the corner box).
"""
from __future__ import annotations

from typing import Optional
from typing import Sequence as Seq

import cv2
import numpy as np


def mask_to_box(mask: np.ndarray, fallback: Seq[float], threshold: float = 0.5,
                min_area: float = 100.0) -> Optional[np.ndarray]:
    """Bounding rectangle (float64 ``xywh``) of the largest contour of ``mask > threshold``."""
    binary = (np.asarray(mask) > threshold).astype(np.uint8)
    # OpenCV >= 4 returns (contours, hierarchy); the official version check misreads 4.10+/5.x
    contours = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)[-2]
    if contours:
        areas = [cv2.contourArea(c) for c in contours]
        best = int(np.argmax(areas))
        if areas[best] > min_area:
            return np.asarray(cv2.boundingRect(contours[best].reshape(-1, 2)), dtype=np.float64)
    return np.asarray(fallback, dtype=np.float64)
