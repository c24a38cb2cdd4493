"""What MkDocs builds: the generated pages, search, charts, feeds and calendar, which files
stay, the serve cache and the HTML added to pages. Above the core and the analysis."""
