# OpenCV's MIL tracker, a classical baseline (`vot eval -p core/opencv_mil ...`).
pipeline = dict(tracker=dict(type='OpenCVMILTracker'))
