"""Events stage: incidents (what, where, when, who, how many) from enriched articles."""
