"""Org batch audits: many repositories, one summary (issue 6).

Batch reuses the single-repository audit as one task and adds cloning, scheduling and
storage around it, nothing inside it. `model.py` is the contract between the parts: the
task a worker runs, the outcome it returns (plain, picklable data), and the org summary
the reports read.
"""
