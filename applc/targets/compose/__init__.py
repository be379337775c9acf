"""The compose target: `adapter.py` turns the model into the view of the templates in
the top-level `targets/compose/`."""

from applc.targets.compose.adapter import TARGET

__all__ = ["TARGET"]
