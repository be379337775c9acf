"""The applc language server (`applc server`).

Import `applc.server.server` to get pygls; this package itself imports nothing heavy,
so `applc lint` never pays for the server.
"""
