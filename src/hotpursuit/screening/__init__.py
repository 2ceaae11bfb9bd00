"""Screening: an in-memory index of what is known about addresses, and risk scoring. Pure."""
