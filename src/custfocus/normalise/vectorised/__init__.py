"""Whole-column versions of the normalisers, for the importer.

Why: a million-row import cannot afford a Python call per cell. Each function here takes
an Arrow string column and returns Arrow columns equal, element by element, to what the
per-value normaliser in :mod:`custfocus.normalise` returns; common shapes are handled by
vectorised kernels and everything else falls back to the per-value function, once per
distinct value.
"""
