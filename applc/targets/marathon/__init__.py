"""The Marathon target: `adapter.py` turns the model into the view of the templates in
the top-level `targets/marathon/`."""

from applc.targets.marathon.adapter import TARGET

__all__ = ["TARGET"]
