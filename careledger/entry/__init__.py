"""Entering records from the command line (issue 17): `visit add`, `household new`, `member add`.

`find` picks people by name, `yamltext` writes entries as text into record files without touching the bytes
already there, `write` validates the would-be file through the loader and replaces it atomically, and `commands`
holds the click commands.
"""
