"""Derived figures: changes, growth rates, totals, averages, shares, ratios and counts, computed exactly from cited cells."""
