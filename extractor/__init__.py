"""baozhi: Chinese newspaper pages to checked ranking-table data."""
__version__ = "0.1.0"
