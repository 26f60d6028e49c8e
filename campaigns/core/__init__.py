"""Site-wide pages, language, errors, demo data and shared helpers."""
