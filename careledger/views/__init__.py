"""Views: what each output is allowed to see, built from the records in one place.

- `public.redact(records, findings, as_of, settings)` gives the public view, the only input of the published site:
  masked names, opaque ids, labels and (suppressed) counts; see docs/privacy.md.
- `reports.build_reports(...)` gives the internal reports, which name people and never reach the site.
"""
