"""Quotes: the index of every stored sentence (words in FTS5, vectors beside it) and quote search
over it: which stored documents carry a sentence, however it was rendered or translated."""
