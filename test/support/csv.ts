/** One CSV cell as a test reads it: its text, and whether it was quoted (a number is not). */
export interface CsvCell {
  text: string;
  quoted: boolean;
}

/** RFC 4180 with `\r\n` rows, as the gateway writes it: rows of cells. */
export const parseCsv = (csv: string): CsvCell[][] => {
  const rows: CsvCell[][] = [];
  let row: CsvCell[] = [];
  let index = 0;
  while (index < csv.length) {
    let cell: CsvCell;
    if (csv[index] === '"') {
      let text = '';
      index += 1;
      for (;;) {
        const quote = csv.indexOf('"', index);
        if (quote === -1) throw new Error('an unterminated quoted cell');
        text += csv.slice(index, quote);
        index = quote + 1;
        if (csv[index] !== '"') break;
        text += '"';
        index += 1;
      }
      cell = { text, quoted: true };
    } else {
      const end = csv.slice(index).search(/,|\r\n/);
      const stop = end === -1 ? csv.length : index + end;
      cell = { text: csv.slice(index, stop), quoted: false };
      index = stop;
    }
    row.push(cell);
    if (csv.startsWith('\r\n', index)) {
      rows.push(row);
      row = [];
      index += 2;
    } else if (csv[index] === ',') {
      index += 1;
    } else if (index < csv.length) {
      throw new Error(`unexpected ${JSON.stringify(csv[index])} after a cell at ${index}`);
    }
  }
  if (row.length > 0) rows.push(row);
  return rows;
};

/** The rows' texts only. */
export const csvTexts = (csv: string): string[][] => parseCsv(csv).map((row) => row.map((cell) => cell.text));

/** Model ids (and the like) a client may send to smuggle a formula into a spreadsheet. */
export const HOSTILE_TEXTS = ['=1+1', 'x;=1+1', 'x,=1+1', 'x|=1+1', 'x\t=1+1', 'x; =1+1', 'x;"=1+1', '+1', '-2+3', '@SUM(A1)', '\t=1', '=HYPERLINK("x","y")', 'a\r=1', 'a\n=1', '\uFF1D1+1'];

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** Opens the CSV as a spreadsheet told to split on `separator` might, ignoring quoting (the worst
 * case): the pieces of every line, with the spaces and quote marks a cell may start with. Returns
 * the pieces that would be read as formulas. */
export const formulasUnder = (csv: string, separator: string): string[] =>
  csv
    .split(/\r\n|\n|\r/)
    .flatMap((line) => line.split(separator))
    .map((piece) => piece.replace(/^[ "]+/, ''))
    .filter((piece) => FORMULA_START.test(piece));

export const CSV_SEPARATORS = [',', ';', '\t', '|'];
