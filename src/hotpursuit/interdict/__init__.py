"""Interdiction: follow the chain live, and get tainted value frozen where it lands."""
