"""The offline GeoNames gazetteer: spelling folding (folding), the index and its places
(index), building it from packaged data (build) and keeping the built copy (cache)."""
