"""The Marathon target.

`adapter.py` turns the model into the view that the templates in the top-level
`targets/marathon/` render; its `TARGET` is what `applc build --target marathon` loads.
`naming.py` names each container as the other containers reach it, and `checks.py`
reports what the target cannot express (`applc lint --target marathon`).
"""
