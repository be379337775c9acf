"""The rule catalogue: one module per family, each rule with its docs and examples."""
