"""Relations and families: what one document is to another, read off their passages.

relations.py types a pair (translation, copy, derived, revision, related) and its direction;
families.py groups related documents and names the origin; lineage.py follows sources upwards;
timeline.py orders the versions of a recurring statement.
"""
