"""One import framework, used by the action plan import and the indicator figures import.

- `reading.read_table`: a CSV or XLSX file into rows, refusing before parsing anything beyond the
  safety limits (`limits.Limits`, settings in config.py, docs/security.md "Import limits"), then
  parsing as a stream that stops at the first limit;
- `columns`: header aliases, and row problems in one shape (row, column, message);
- `templates`: the downloadable templates, every cell made safe by `tracker.text.spreadsheet_cell`;
- `pending`: what a preview found, kept on the server (the upload with its parsed rows as JSON
  beside it) until the person confirms; the preview page never reads the file again.
"""

from tracker.imports.limits import FileProblem, LimitExceeded, Limits

__all__ = ["FileProblem", "LimitExceeded", "Limits"]
