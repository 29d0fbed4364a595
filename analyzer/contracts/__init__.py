"""The data contracts, one module each: the snapshot file, the price book, report.json.

``analyzer.records`` holds the analysis's internal records, which are not a contract.
"""
