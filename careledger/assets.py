"""Where careledger's own files live: the templates of the published site and of the internal reports, the form
definitions and the policy profiles. They ship inside the package (package data in pyproject.toml), so a checkout and
an installed wheel find them the same way; every module asks here rather than spelling a path of its own."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
SITE_TEMPLATES = PACKAGE / "site_templates"  # the published site; nothing else is on its template path
REPORT_TEMPLATES = PACKAGE / "report_templates"  # internal reports and dossiers, never on the site's path
FORMS = PACKAGE / "forms"  # fillable forms: <name>.yaml + <name>.html
PROFILES = PACKAGE / "profiles"  # policy profiles, one YAML file per source document
