"""Development tools (not installed with the package): the demo generator and the record builders it shares
with the benchmarks and the test factories."""
