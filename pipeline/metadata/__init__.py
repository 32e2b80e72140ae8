"""Field parsers for the Decree 30/2020/NĐ-CP layout, one module per part of the page.

| module | one job |
| --- | --- |
| `cues` | the cue patterns and line helpers the parsers share; the two columns of a line read across |
| `doctypes` | the document types of appendix III, type titles, the type code of a symbol |
| `dates` | the place-and-date line |
| `number` | the number line (`Số: 123/QĐ-UBND`) and its symbol |
| `header` | the left header column: parent and issuing body, number line, a công văn's V/v lines |
| `subject` | the trích yếu (under the title or the number) and the `Kính gửi` addressees |
| `closing` | the `Nơi nhận` recipients, and the lines left for the signer |
| `signer` | authority lines, position and name of the signer |
| `parse` | the whole document: every field with its confidence |

Each parser returns `(value, confidence)` or None; nothing is guessed when the cue is not there.
"""
