"""Place mentions in a parsed article, resolved against the GeoNames index in the article's context.

words: token texts, capitalised name runs and span edges; syntax: where the sentence itself says
a name is a place; ranking: candidates by spelling and their score against the story's
geography; acceptance: whether a name is a place at all; mentions: finding the mentions (NER's
and a scan of name runs); resolve: the whole article, from evidence to resolved places.
"""
