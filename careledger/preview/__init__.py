"""What `careledger serve` adds to the files it serves, kept apart from the build: which URL reaches which file
(paths), the outcome of the last rebuild (state), how the page shows it (banner) and how the terminal does (terminal).
Nothing here writes into the output directory: the published tree stays what a plain build makes."""
