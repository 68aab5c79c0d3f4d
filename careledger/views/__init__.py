"""Views: what the published outputs are allowed to see, built from the records in one place.

`summary.summarize(records, as_of=...)` gives the aggregated view of the published site: counts and labels only.
Templates for published pages receive these view objects, never `Records` or a record.
"""
