"""Fuzzing applc: mutations of real appliances, and the long-running fuzzer (`fuzz.py`)."""
