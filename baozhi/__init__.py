"""baozhi 报纸: Chinese newspaper pages (PDFs, scans, text dumps) to checked ranking-table data.

    import baozhi
    doc = baozhi.extract("page.pdf")
    doc.tables[0].df          # a pandas DataFrame, its columns a MultiIndex of the header paths
    doc.flags                 # the findings, most severe first

The command line (`baozhi extract`) is a thin layer over this: it calls read_document for each file and writes
what it gives into OUT/."""
from baozhi.api import Document, DocumentPage, ExtractedTable, ExtractError, extract, read_document
from extractor import __version__
from extractor.messages import set_language

__all__ = ["Document", "DocumentPage", "ExtractedTable", "ExtractError", "extract", "read_document",
           "set_language", "__version__"]
