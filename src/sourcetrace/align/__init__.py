"""Alignment: which spans of one document carry which spans of another, and how.

pair.py aligns two documents (reuse, then sentence vectors); reuse.py finds kept wording at word
precision (seed-and-extend); matching.py scores and matches sentences across languages;
compose.py carries passages through a translation in the corpus.
"""
