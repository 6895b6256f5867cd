"""What the agenda systems' layouts look like, as data and small recognisers.

Each module holds one part of a document: the web furniture to drop (``furniture``),
the header and its labels (``headers``, ``labels``), agenda item headings (``items``),
case numbers (``cases``), section headings (``sections``), decision headings
(``decisions``), closed items (``closed``), people (``people``) and page-per-line
transcripts (``transcript``). The parser asks them; adding a layout means adding a
row or a recogniser here and a fixture in ``tests/``, not a branch in the parser.
"""
