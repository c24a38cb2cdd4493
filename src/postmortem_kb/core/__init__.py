"""The domain core: one report and the knowledge base, read and checked without MkDocs.

See postmortems/guide/architecture.md for the layers and the way of one report.
"""
