"""Exchanging records with office files (issue 17): .xlsx ledgers in and out, filled PDF forms in.

- `layouts.py`: which sheets and headings each layout has (the documents' annex ledgers, and our own);
- `cells.py`: a value as a text cell no spreadsheet evaluates, and a cell back as the record's text;
- `ledger.py`: the records as ledger rows; `export.py`: those rows as a workbook (`careledger export`);
- `sheets.py`: the ledgers of a workbook, found by their headings; `resolve.py`: names to ids;
- `plan.py`: `plan_workbook`, the changes a workbook makes, each checked through `entry.write`, and the rows it
  cannot use; `pairs.py` and `entries.py`: records written back as entries of a file's text;
- `diff.py`: a change field by field; `apply.py`: show a plan and write it, all or nothing;
- `commands.py`: `careledger export` and `careledger import` (a .pdf goes to `formpdf.plan_form`).
- `formpdf.py`: `plan_form`, a filled PDF form read back (pypdf): which form it is, and its changes;
  `formvisit.py` and `forminspect.py`: its fields as visit or inspection entries.
"""
