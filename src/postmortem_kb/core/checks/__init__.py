"""The checks of one report: frontmatter, sections and tables (validate), language (lint)."""
