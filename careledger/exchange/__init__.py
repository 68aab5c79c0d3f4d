"""Excel in and out (issue 17): the office's ledgers as .xlsx.

`layouts.py` says which sheets and headings each layout has (the documents' annex ledgers, and our own); `cells.py`
turns values into cells and cells back into text; `export.py` writes a workbook; `sheets.py` finds the ledgers in a
workbook by their headings; `rows.py` turns a sheet's rows into record entries; `plan.py` plans the changes
(`plan_workbook`), `diff.py` says what a change alters, and `commands.py` holds `careledger export` and
`careledger import`.
"""
