"""Segmentation: a file's text into documents (boundaries, title, date, language) and the
boilerplate lines that belong to none of them (recorded, never dropped)."""
