// CSV reports (SPEC section 7): measure-summary.csv, orders.csv, reconciliation.csv.
export * from "./request";
export { FOR_SHARING, openReport, reportFileName, type ReportFile, type ResolvedReportRequest } from "./open";
export { serveReport, type ReportDependencies } from "./serve";
export { csvStream, csvStreamOf, csvText, UTF8_BOM, type CsvStreamOptions } from "./csv";
export { MEASURE_SUMMARY_COLUMNS, measureSummaryColumns, measureSummaryRecords, measureWindowDays, orderingNpiCell, rowDimensions } from "./measure-summary";
export { ORDERS_COLUMNS, RECONCILIATION_COLUMNS, orderRecord, findingRecord, findingDetail } from "./member-level";
