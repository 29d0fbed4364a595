"""Bundled demo snapshots and example input files (shipped as ``analyzer.sample_data``)."""
