"""Serializers: every byte applc writes as JSON or YAML, for targets and reports alike,
goes through these (no template or formatter pastes values into text)."""
