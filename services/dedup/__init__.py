"""Dedup stage: each story once, with notices for every further copy."""
