"""The one place text is cleaned: at input, and for spreadsheet exports."""

from tracker.text import clean_line, clean_text, spreadsheet_cell


def test_word_line_breaks_become_new_lines_and_controls_go():
    assert clean_text("Line1\x0bLine2\r\nLine3\x00\x07") == "Line1\nLine2\nLine3"


def test_direction_overrides_are_removed():
    assert clean_line("Safe\u202etxt.exe\u2066 title") == "Safetxt.exe title"


def test_clean_line_joins_lines():
    assert clean_line("  two\nlines\t here ") == "two lines here"


def test_spreadsheet_cell_neutralises_formulas_and_illegal_characters():
    assert spreadsheet_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert spreadsheet_cell("note\x0bmore") == "note\nmore"
    assert spreadsheet_cell(12.5) == 12.5
    assert spreadsheet_cell(None) is None
