"""relate."""
