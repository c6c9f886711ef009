# OSTrack-384: template 2.0x at 192 px, search 5.0x at 384 px.
_base_ = ['./ostrack_vitb.py']
pipeline = dict(tracker=dict(template_size=192, search_factor=5.0, search_size=384))
