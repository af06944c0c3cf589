import Table from 'cli-table3';

const BORDERLESS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

/** A plain aligned table with a header row, the way kubectl and docker print lists. */
export function renderTable(head: string[], rows: string[][]): string {
  const table = new Table({ head, chars: BORDERLESS, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } });
  table.push(...rows);
  return table.toString().split('\n').map((line) => line.trimEnd()).join('\n');
}
