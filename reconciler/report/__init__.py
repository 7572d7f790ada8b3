"""Renderers: each takes a Plan or a drift report and returns a string. No I/O, no diffing."""
