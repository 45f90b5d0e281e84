"use client";

/** Opens the browser's print dialog (where "Save as PDF" is too). */
export function PrintButton() {
  return (
    <button type="button" onClick={() => window.print()} data-testid="scorecard-print">
      Print or save as PDF
    </button>
  );
}
