"""The Kubernetes target: `adapter.py` turns the model into the view of the templates in
the top-level `targets/kubernetes/`."""

from applc.targets.kubernetes.adapter import TARGET

__all__ = ["TARGET"]
