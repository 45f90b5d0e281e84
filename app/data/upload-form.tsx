"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { formatImportProblem } from "@/lib/format";
import { ScrollArea } from "../_components/scroll-area";

type RowChange = { line: number; key: Record<string, string>; changes: { column: string; old: string | null; new: string | null }[] };
type FileCounts = { file: string; rows: number; new: number; changed: number; unchanged: number; changes?: RowChange[] };

/** The answer of POST /api/imports (lib/import's ImportResult or DryRunResult, as JSON). */
type Result = {
  ok: boolean;
  dryRun?: boolean;
  batchId?: number | null;
  files?: FileCounts[];
  unreadFiles?: string[];
  problems: string[];
  problemCount: number;
  warnings?: string[];
};

type Step = { kind: "idle" } | { kind: "sending"; dryRun: boolean; progress: number } | { kind: "checked"; result: Result } | { kind: "done"; result: Result } | { kind: "error"; message: string };

/**
 * Upload the files of one import in two steps. First a dry run: the server reads and checks the
 * files as the import would and says, per file, how many rows would be new, changed and
 * unchanged, with a sample of the changes — keeping nothing. Then, on confirmation, the import
 * itself. Files with a problem stop at the first step, each problem named.
 */
export function UploadForm() {
  const router = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const [step, setStep] = useState<Step>({ kind: "idle" });

  const send = (dryRun: boolean) => {
    const form = formRef.current;
    if (!form) return;
    setStep({ kind: "sending", dryRun, progress: 0 });
    const request = new XMLHttpRequest();
    request.open("POST", dryRun ? "/api/imports?dryRun=1" : "/api/imports");
    request.upload.onprogress = (e) => e.lengthComputable && setStep({ kind: "sending", dryRun, progress: e.loaded / e.total });
    request.onload = () => {
      let result: Result;
      try {
        result = JSON.parse(request.responseText) as Result;
      } catch {
        setStep({ kind: "error", message: request.responseText || `The server answered ${request.status}.` });
        return;
      }
      if (dryRun && result.ok) {
        setStep({ kind: "checked", result });
      } else {
        setStep({ kind: "done", result });
        if (!dryRun) router.refresh();
      }
    };
    request.onerror = () => setStep({ kind: "error", message: "The upload failed: the server could not be reached." });
    request.send(new FormData(form));
  };

  const busy = step.kind === "sending";
  return (
    <form
      ref={formRef}
      className="upload"
      data-testid="upload-form"
      onSubmit={(e) => {
        e.preventDefault();
        send(true);
      }}
    >
      <label>
        Files of one import (plans.csv, members.csv, coverage.csv, orders.csv, claim_lines.csv — any of them)
        <input type="file" name="files" accept=".csv,text/csv,.ndjson,.json" multiple required data-testid="upload-files" onChange={() => setStep({ kind: "idle" })} />
      </label>
      <button type="submit" disabled={busy}>
        Check files…
      </button>
      {step.kind === "sending" ? (
        <p role="status">
          <progress value={step.progress} max={1} />{" "}
          {step.progress < 1 ? `Uploading ${(step.progress * 100).toFixed(0)}%` : step.dryRun ? "Checking what would change…" : "Importing…"}
        </p>
      ) : null}
      {step.kind === "error" ? (
        <p className="notice" role="alert">
          {step.message}
        </p>
      ) : null}
      {step.kind === "checked" ? <DryRun result={step.result} onConfirm={() => send(false)} onCancel={() => setStep({ kind: "idle" })} /> : null}
      {step.kind === "done" ? <Outcome result={step.result} /> : null}
    </form>
  );
}

const total = (files: FileCounts[] | undefined, key: "new" | "changed" | "unchanged") => (files ?? []).reduce((n, f) => n + f[key], 0);

/** What the import would do, and the confirmation it needs. */
function DryRun({ result, onConfirm, onCancel }: { result: Result; onConfirm: () => void; onCancel: () => void }) {
  const changed = total(result.files, "changed");
  return (
    <div className="confirm" role="group" aria-labelledby="dry-run-title" data-testid="upload-confirm">
      <p id="dry-run-title">
        <strong>Checked: these files can be imported.</strong> Nothing has been written yet.{" "}
        {changed > 0 ? (
          <strong data-testid="dry-run-changed">
            {changed.toLocaleString("en-US")} row{changed === 1 ? "" : "s"} already loaded would change.
          </strong>
        ) : (
          "No row already loaded would change."
        )}
      </p>
      <ScrollArea label="What the import would do">
        <table data-testid="dry-run-files">
          <caption>What the import would do, file by file</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col" className="num">Rows</th>
              <th scope="col" className="num">New</th>
              <th scope="col" className="num">Changed</th>
              <th scope="col" className="num">Unchanged</th>
            </tr>
          </thead>
          <tbody>
            {(result.files ?? []).map((f) => (
              <tr key={f.file}>
                <th scope="row">{f.file}</th>
                <td className="num">{f.rows.toLocaleString("en-US")}</td>
                <td className="num">{f.new.toLocaleString("en-US")}</td>
                <td className="num">{f.changed.toLocaleString("en-US")}</td>
                <td className="num">{f.unchanged.toLocaleString("en-US")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollArea>
      {(result.files ?? [])
        .filter((f) => f.changes && f.changes.length > 0)
        .map((f) => (
          <details key={f.file} open data-testid={`dry-run-changes-${f.file}`}>
            <summary>
              {f.file}: {f.changes!.length < f.changed ? `the first ${f.changes!.length} of ${f.changed.toLocaleString("en-US")} changed rows` : `the ${f.changed === 1 ? "changed row" : `${f.changed} changed rows`}`}
            </summary>
            <ul className="changes">
              {f.changes!.map((c) => (
                <li key={c.line}>
                  line {c.line} ({Object.entries(c.key).map(([k, v]) => `${k} ${v}`).join(", ")}):{" "}
                  {c.changes.map((d) => `${d.column} ${d.old ?? "(empty)"} → ${d.new ?? "(empty)"}`).join("; ")}
                </li>
              ))}
            </ul>
          </details>
        ))}
      {result.warnings?.length ? <p className="chart-note">Warnings: {result.warnings.join("; ")}</p> : null}
      <p className="panel-actions">
        <button type="button" onClick={onConfirm} data-testid="upload-confirm-button">
          {changed > 0 ? `Import and change ${changed.toLocaleString("en-US")} row${changed === 1 ? "" : "s"} already loaded` : "Import"}
        </button>
        <button type="button" className="secondary" onClick={onCancel} data-testid="upload-cancel">
          Cancel
        </button>
      </p>
    </div>
  );
}

/** An import's outcome, or why the files would be (or were) refused. */
function Outcome({ result }: { result: Result }) {
  return (
    <div role="status" data-testid="upload-result">
      {result.ok ? (
        <p>
          Imported (import #{result.batchId}): {result.files?.map((f) => `${f.file} ${f.new} new, ${f.changed} changed, ${f.unchanged} unchanged`).join("; ")}
        </p>
      ) : (
        <>
          <p className="notice">
            Rejected: {result.problemCount} problem{result.problemCount === 1 ? "" : "s"}. Nothing was written.
            {result.unreadFiles?.length ? ` Not read: ${result.unreadFiles.join(", ")}.` : ""}
          </p>
          <ul className="problems" data-testid="upload-problems">
            {result.problems.map((p) => (
              <li key={p}>
                <code>{formatImportProblem(p)}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      {result.warnings?.length ? <p className="chart-note">Warnings: {result.warnings.join("; ")}</p> : null}
    </div>
  );
}
