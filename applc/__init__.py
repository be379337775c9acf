"""applc: the compiler and linter for PIVOT appliance specs."""

__version__ = "0.1.0"
