"""Data files of service identification, read on first use by private modules."""
