"""Every rule module, imported once so its rules and checks register.

A new rule goes into the module of its family here, or into a new module listed below.
"""

from applc.rules import (  # noqa: F401
    pivot,
    ports,
    reading,
    references,
    resources,
    security,
    structure,
    targets,
)
