"""How the generated cases of tests/cases/bad_inputs were written (#16's probe, one folder per
case). The committed files are the cases; this script documents the bytes of the binary
ones and rebuilds them: ``python tests/cases/make_bad_input_cases.py tests/cases/bad_inputs
more`` (the second argument adds the cases that need openpyxl and symbolic links)."""
import io
import json
import os
import sys
from pathlib import Path

ROOT = Path(sys.argv[1])
H = "Nombre;Email;Teléfono\n"
ROWS = "Ana Ruiz;ana@example.com;612345678\nLuis Gil;luis@example.com;612345679\n"

def case(name, filename, content, exit_code, message, store_changes=None, issue="", **extra):
    folder = ROOT / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    exp = {"issue": issue, "exit_code": exit_code, "message": message,
           "store_changes": bool(exit_code == 0) if store_changes is None else store_changes}
    exp.update(extra)
    (folder / "expected.json").write_text(json.dumps(exp, ensure_ascii=False) + "\n", encoding="utf-8")

P = "#16 probe: "
case("csv_empty_file", "clientes.csv", b"", 3, "file is empty", issue=P + "a 0-byte export")
case("csv_blank_lines_only", "clientes.csv", "\n\n  \n\n", 3, "file is empty", issue=P + "only blank lines")
case("csv_pdf_renamed", "clientes.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", 3, "not a text file", issue=P + "a PDF named .csv")
case("csv_xlsx_renamed", "clientes.csv", b"PK\x03\x04" + b"\x00" * 40, 3, "not a text file", issue=P + "a workbook named .csv")
case("csv_binary_noise", "clientes.csv", bytes(range(256)) * 8, 3, "not a text file", issue=P + "random bytes named .csv")
case("csv_utf16_with_bom", "clientes.csv", (H + ROWS).encode("utf-16"), 0, '"records": 2', issue=P + "UTF-16 (Excel's Unicode text)")
case("csv_utf16le_without_bom", "clientes.csv", (H + ROWS).encode("utf-16-le"), 0, '"records": 2', issue=P + "UTF-16 without a BOM")
case("csv_utf8_bom", "clientes.csv", b"\xef\xbb\xbf" + (H + ROWS).encode(), 0, '"records": 2', issue=P + "a UTF-8 BOM before the header")
case("csv_cp1252", "clientes.csv", (H + "José Pérez;jose@example.com;612345678\nMaría Ibáñez;maria@example.com;612345679\n").encode("cp1252"), 0, '"encoding": "cp1252"', issue=P + "cp1252 export")
case("csv_stray_nuls", "clientes.csv", (H + "Ana Ruiz;ana@example.com;612345678\x00\nLuis Gil;luis@example.com;612345679\n"), 0, "stray NUL bytes removed: 1", issue=P + "a stray NUL")
case("csv_title_rows_above_header", "clientes.csv", "Informe de clientes 2024\nGenerado: 01/07/2024\n\n" + H + ROWS, 0, "title rows above header skipped: 2", issue=P + "a title above the header")
case("tsv_tab_delimited", "clientes.tsv", (H + ROWS).replace(";", "\t"), 0, '"delimiter": "\\t"', issue=P + "tab-delimited")
case("csv_pipe_delimited", "clientes.csv", (H + ROWS).replace(";", "|"), 0, '"delimiter": "|"', issue=P + "pipe-delimited")
case("csv_no_customer_columns", "productos.csv", "Producto;Precio;Stock\nMesa;120;4\nSilla;45;10\n", 3, "no column looks like customer data", issue=P + "a file of products")
case("csv_mixed_line_endings", "clientes.csv", "Nombre;Email;Teléfono\r\nAna Ruiz;ana@example.com;612345678\nLuis Gil;luis@example.com;612345679\rEva Sanz;eva@example.com;612345670\r\n", 0, '"records": 3', issue=P + "CRLF, LF and CR line ends in one file")
case("csv_header_and_blank_lines", "clientes.csv", H + "\n\n;;\n", 3, "file has a header but no data rows", issue=P + "a header, then blank rows")
case("csv_quote_never_closed_at_end", "clientes.csv", H + ROWS + 'Eva Sanz;"eva@example.com;612345670\nPepe Mora;pepe@example.com;612345671\n', 3, 'a quote opened on line 4 runs to line 5', issue=P + "a quote opened on the last rows and never closed")
case("csv_amount_nan", "pedidos.csv", "Email;Importe;Fecha\nana@example.com;NaN;2024-01-01\nluis@example.com;12.50;2024-01-02\n", 0, '"amount is not a number": 1', issue=P + "NaN as an amount")
case("csv_amount_infinity", "pedidos.csv", "Email;Importe;Fecha\nana@example.com;inf;2024-01-01\nluis@example.com;12.50;2024-01-02\n", 0, '"amount is not a number": 1', issue=P + "inf as an amount")
case("csv_amount_1e309", "pedidos.csv", "Email;Importe;Fecha\nana@example.com;1e309;2024-01-01\nluis@example.com;12.50;2024-01-02\n", 0, '"amount is not a number": 1', issue=P + "an amount beyond a double")
case("unsupported_extension_pdf", "clientes.pdf", b"%PDF-1.4\n", 3, 'unsupported file type ".pdf"', issue=P + "a PDF")
case("unsupported_no_extension", "clientes", H + ROWS, 3, 'unsupported file type "(none)"', issue=P + "a file without an extension")
case("json_malformed", "clientes.json", '{"clientes": [{"nombre": "Ana"', 3, "clientes.json", issue=P + "JSON cut short")
case("json_scalar", "clientes.json", "42", 3, "clientes.json", issue=P + "a JSON number")
case("json_empty_array", "clientes.json", "[]", 3, "clientes.json", issue=P + "an empty JSON array")
case("jsonl_bad_line", "clientes.jsonl", '{"nombre": "Ana Ruiz", "email": "ana@example.com"}\n{"nombre": "Luis\n', 3, "clientes.jsonl", issue=P + "JSON lines with a broken line")
case("parquet_corrupt", "clientes.parquet", b"PAR1" + b"\x00" * 64 + b"PAR1", 3, "clientes.parquet", issue=P + "a damaged Parquet file")
case("xlsx_corrupt", "clientes.xlsx", b"PK\x03\x04" + b"\x01" * 200, 3, "clientes.xlsx", issue=P + "a damaged workbook")
case("xlsx_is_csv_text", "clientes.xlsx", H + ROWS, 3, "clientes.xlsx", issue=P + "CSV text named .xlsx")
case("ods_corrupt", "clientes.ods", b"PK\x03\x04garbage", 3, "clientes.ods", issue=P + "a damaged ODS")
case("xls_random_bytes", "clientes.xls", bytes(range(256)) * 4, 3, "clientes.xls", issue=P + "random bytes named .xls")
case("csv_formula_text_kept", "clientes.csv", 'Nombre;Email;Teléfono\n"=HYPERLINK(""http://x"";""y"")";ana@example.com;612345678\n@SUM(1);luis@example.com;+34612345679\n', 0, '"records": 2', issue=P + "formula text in cells is data, stored as text")
case("review_missing_columns", "revision.csv", "source_a,row_a,decision\nsoporte.csv,2,same\n", 3, "missing column(s): source_b, row_b", command=["review", "import"], store="deduped", issue="#16 defect 7: review files")
case("review_unknown_decision", "revision.csv", "source_a,row_a,source_b,row_b,decision\nsoporte.csv,2,soporte.csv,3,maybe\n", 3, "row 2, column \"decision\": decision 'maybe' is not same/different", command=["review", "import"], store="deduped", issue="#16 defect 7: review files")
case("review_row_not_imported", "revision.csv", "source_a,row_a,source_b,row_b,decision\nsoporte.csv,2,soporte.csv,99,same\n", 3, "row 2: names a row that is not imported (soporte.csv row 99)", command=["review", "import"], store="deduped", issue="#16 defect 7: review files")
case("review_row_not_a_number", "revision.csv", "source_a,row_a,source_b,row_b,decision\nsoporte.csv,dos,soporte.csv,3,same\n", 3, "row 2: row numbers must be whole numbers", command=["review", "import"], store="deduped", issue="#16 defect 7: review files")
case("review_not_a_table", "revision.xlsx", b"PK\x03\x04" + b"\x01" * 100, 3, "cannot read the review file", command=["review", "import"], store="deduped", issue="#16 defect 7: review files")

def link(name, filename, target, exit_code, message, issue):
    folder = ROOT / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / filename).unlink(missing_ok=True)
    os.symlink(target, folder / filename)
    (folder / "expected.json").write_text(json.dumps({"issue": issue, "exit_code": exit_code, "message": message, "store_changes": False}, ensure_ascii=False) + "\n")

if len(sys.argv) > 2:
    from openpyxl import Workbook
    def book_bytes(rows, title="Clientes"):
        book = Workbook()
        sheet = book.active
        sheet.title = title
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    link("link_to_itself", "clientes.csv", "clientes.csv", 3, "symbolic link loop", "#16 defect 5: a symbolic link loop")
    link("link_dangling", "clientes.csv", "no-such-export.csv", 3, "not found", "#16 probe: a link to a file that is gone")
    case("xlsx_empty_workbook", "clientes.xlsx", book_bytes([]), 3, "clientes.xlsx", issue=P + "a workbook with nothing in it")
    case("xlsx_header_only", "clientes.xlsx", book_bytes([["Nombre", "Email"]]), 3, "clientes.xlsx", issue=P + "a workbook with a header and no rows")
    case("xlsx_good_rows", "clientes.xlsx", book_bytes([["Nombre", "Email"], ["Ana Ruiz", "ana@example.com"], ["=1+1", "luis@example.com"]]), 0, '"records": 2', issue=P + "a plain workbook (formula text as a value)")
    case("csv_header_only_no_newline", "clientes.csv", "Nombre;Email;Teléfono", 3, "file has a header but no data rows", issue=P + "a header without a line end")
    case("csv_cell_too_long", "clientes.csv", H + "Ana Ruiz;ana@example.com;612345678\nLuis Gil;luis@example.com;" + "9" * 70000 + "\n", 0, "characters long", issue=P + "a cell of 70,000 characters")
    case("json_records_under_a_key", "clientes.json", json.dumps({"clientes": [{"nombre": "Ana Ruiz", "email": "ana@example.com"}, {"nombre": "Luis Gil", "email": "luis@example.com"}]}), 0, '"records": 2', issue=P + "JSON records under a key")
    case("csv_impossible_dates", "clientes.csv", "Nombre;Email;Alta\nAna Ruiz;ana@example.com;2024-02-30\nLuis Gil;luis@example.com;2024-03-01\n", 0, '"records": 2', issue=P + "an impossible date is not a loss of the row")
    case("review_no_decisions", "revision.csv", "source_a,row_a,source_b,row_b,decision\nsoporte.csv,2,soporte.csv,3,\n", 0, "0 same, 0 different, 1 left undecided", command=["review", "import"], store="deduped", store_changes=True, issue="#16 defect 7: a review file with nothing decided")
