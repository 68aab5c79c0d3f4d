"""Exchanging records with office files: filled PDF forms and spreadsheets read back into record entries."""
