"""Engines: what runs the pipeline's stages (sourcetrace.pipeline) over a corpus.

local.py runs them in this process and its workers (workers.py) with the store as cache and
checkpoint; ingest.py reads files into the store; lookup.py resolves the documents a user names
and compares them; sides.py reads a document's text and sentences for alignment.
"""
