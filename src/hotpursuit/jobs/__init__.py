"""Jobs that read the store, run pure logic (clustering, ...) and write results back."""
