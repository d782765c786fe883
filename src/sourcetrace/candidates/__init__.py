"""Candidates: the pairs of documents worth comparing, without comparing every pair.

Within a language, MinHash LSH over word shingles of documents and of sentences (pairs.py); across
languages, nearest neighbours of topic vectors (neighbours.py) and shared rare terms (names, numbers).
"""
