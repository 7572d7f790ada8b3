"""The reconcile engine: pair, normalize, diff and plan (pure); apply (the only I/O)."""
