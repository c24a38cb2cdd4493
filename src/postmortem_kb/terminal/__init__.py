"""What pmkb prints and writes: problem listings, stats, overdue items, exports, the JSON
Schema, new reports (pmkb new) and new knowledge bases (pmkb init)."""
