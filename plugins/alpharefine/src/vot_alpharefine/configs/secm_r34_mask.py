# Alpha-Refine AR34c+m with the mask branch: returns the frame-sized mask and the box from it
# (axis-aligned bounding rectangle of the largest contour, area > 100 px; else the corner box).
_base_ = ['./secm_r34.py']
refiner = dict(box_from='mask', return_mask=True)
