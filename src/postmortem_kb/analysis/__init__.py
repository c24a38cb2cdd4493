"""Figures and links over many reports: patterns, action items, related incidents, stats,
review policies. Used by the site and the terminal alike, so they cannot disagree."""
