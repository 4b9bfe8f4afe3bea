"""Pydantic models shared by every pipeline stage, and the table vocabulary (roles.toml)."""
from schemas.document import Box, Ruling, Word, Page, Region
from schemas.table import Cell, Column, Row, Table
from schemas.flags import Flag, FlagKind, Severity

__all__ = [
    "Box", "Ruling", "Word", "Page", "Region",
    "Cell", "Column", "Row", "Table",
    "Flag", "FlagKind", "Severity",
]
