"""Entities stage: spaCy NER plus curated canonical names and places."""
