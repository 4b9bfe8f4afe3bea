"""baozhi 报纸: Chinese newspaper pages (PDFs, scans, text dumps) to checked ranking-table data.

    import baozhi
    doc = baozhi.extract("page.pdf")
    doc.tables[0].df          # a pandas DataFrame, its columns a MultiIndex of the header paths
    doc.flags                 # the findings, most severe first

The command line (`baozhi extract`) runs the same pipeline (extractor.pipeline.process_pages) a page at a time and
writes each page's findings out as it comes, so that a long file is never held whole."""
from baozhi.api import Document, DocumentPage, ExtractedTable, ExtractError, extract, read_document
from extractor import __version__
from extractor.messages import set_language

__all__ = ["Document", "DocumentPage", "ExtractedTable", "ExtractError", "extract", "read_document",
           "set_language", "__version__"]
