"""Hook implementations of vot-simtrack: import strings only (no torch at registration).

The zoo entry is a frozen record, not a factory, so it is imported inside the hook.
"""
from vot_core.hookspecs import hookimpl


@hookimpl
def register_trackers(register):
    register("SimTrack", "vot_simtrack.tracker:SimTrackTracker")


@hookimpl
def register_models(register):
    register("SimTrackModel", "vot_simtrack.training:SimTrackModel")


@hookimpl
def register_weights(register):
    from .zoo import ENTRIES

    for entry in ENTRIES:
        register(entry.name, entry)
