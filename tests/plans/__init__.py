"""Plans: loading, progress, fidelity to their documents, linkage, roll-ups."""
