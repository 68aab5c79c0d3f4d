"""Commands in their own modules, registered in cli.py."""
