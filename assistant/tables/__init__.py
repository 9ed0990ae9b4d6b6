"""Tables as data: rows and columns read by the loaders, kept whole through chunking, answered by cell."""
