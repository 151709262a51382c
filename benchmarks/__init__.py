"""The benchmark: eum-share's state machine, the runbook of AWS's sharing guide and an all-at-once share, side by
side on the offline AWS's virtual clock, under one rate model (benchmarks/rate_model.py)."""
