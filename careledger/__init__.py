"""careledger: care records in git, checked by policy, rendered to a redacted site, dossiers and forms."""

__version__ = "0.1.0"
