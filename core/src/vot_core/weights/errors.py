"""The one error type of vot_core.weights."""


class WeightsError(RuntimeError):
    """A checkpoint could not be found, downloaded, read or loaded; the message says why and
    what to do."""
