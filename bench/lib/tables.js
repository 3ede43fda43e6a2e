// The bench scripts' Markdown tables of medians, required by their `node -` blocks (which run
// from the repository root: require(path.resolve('bench/lib/tables.js'))). A cell is the median
// of the runs, then every run in brackets; a row's ratios are each other column's median over
// the first column's.
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// Prints one row per figure [label, (run) => number, digits] over `columns`, each an array of
// runs (JSON reports): | label | cell … | ratio … |.
function printFigureRows(figures, columns, ratioDigits) {
  for (const [label, get, digits] of figures) {
    const values = columns.map((runs) => runs.map(get));
    const cell = (xs) => `${median(xs).toFixed(digits)} (${xs.map((x) => x.toFixed(digits)).join(', ')})`;
    const ratios = values.slice(1).map((xs) => (median(xs) / median(values[0])).toFixed(ratioDigits));
    console.log(`| ${label} | ${values.map(cell).join(' | ')} | ${ratios.join(' | ')} |`);
  }
}

module.exports = { median, printFigureRows };
