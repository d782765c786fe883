"""Alignment: which spans of one document carry which spans of another, and how.

pair.py aligns two documents (reuse, then sentence vectors); reuse.py finds kept wording at word
precision (seed-and-extend); matching.py scores and matches sentences across languages;
beads.py and path.py place sentences by the order of a translation (gap filling; the best path of
beads, vecalign's DP with jumps); windows.py cuts a long pair into windows; compose.py carries
passages through a translation in the corpus.
"""
