"""Administrative units of Vietnam before and after 1 July 2025, for the documents' old and new units.

| module | one job |
| --- | --- |
| `data` | the gazetteer (old and new units, old -> new table) and the former names of `former_names.json` |
| `mentions` | unit names in text (`phường X`, `X Ward`, `P. X`), exact or one OCR slip away |
| `names` | diacritics of unit names put back, in a header line or the place of the date line |
| `scope` | whose document it is: Hanoi's local government, another province, or the central state |
| `resolve` | the old unit a document belongs to or concerns (the upload prefix settles a shared name) |
| `assign` | the old and new unit of one document; the new unit a body issuing after July 2025 names |
| `mapping` | old unit -> new unit(s), never a silent pick |
"""
