"""Local traffic and billing inputs: VPC Flow Logs and Cost and Usage Reports, read with DuckDB.

Reading files on disk is not AWS I/O, so it lives here and not in ``collect``.
Each input is one streaming SQL aggregation over every file (no frame of raw
records); the SQL text is shared with the Athena path (``collect/athena.py``)
where the dialects agree, and the aggregated rows are turned into snapshot
records by the same pure code whichever engine produced them.
"""
