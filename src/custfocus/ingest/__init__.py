"""Ingest: read departmental files, infer what each column means, store them losslessly."""
