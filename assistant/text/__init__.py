"""The text toolkit every stage shares: sentences, words, stopwords, number and date patterns, checksums."""
