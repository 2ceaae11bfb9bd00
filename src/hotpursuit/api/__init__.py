"""The HTTP API. Adapters at the edge: may import everything else, nothing imports it."""
