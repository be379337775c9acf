"""The compose target.

`adapter.py` turns the model into the view that the templates in the top-level
`targets/compose/` render; its `TARGET` is what `applc build --target compose` loads.
`naming.py` names each container as the other containers reach it, and `checks.py`
reports what the target cannot express (`applc lint --target compose`).
"""
