"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { formatImportProblem } from "@/lib/format";

type Result = {
  ok: boolean;
  batchId?: number;
  files?: { file: string; rows: number; new: number; changed: number; unchanged: number }[];
  problems: string[];
  problemCount: number;
  warnings?: string[];
};

/** Upload the files of one import, with progress, then every rejected row or the counts. The
 *  files chosen are listed, and the upload asks to be confirmed first: rows already loaded with
 *  the same keys (a member id, a plan id, …) take the values of these files. */
export function UploadForm() {
  const router = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<{ name: string; size: number }[] | null>(null);

  const submit = (form: HTMLFormElement) => {
    setResult(null);
    setError(null);
    const request = new XMLHttpRequest();
    request.open("POST", "/api/imports");
    request.upload.onprogress = (e) => e.lengthComputable && setProgress(e.loaded / e.total);
    request.onload = () => {
      setProgress(null);
      try {
        setResult(JSON.parse(request.responseText) as Result);
        router.refresh();
      } catch {
        setError(request.responseText || `The server answered ${request.status}.`);
      }
    };
    request.onerror = () => {
      setProgress(null);
      setError("The upload failed: the server could not be reached.");
    };
    request.send(new FormData(form));
  };

  return (
    <form
      ref={formRef}
      className="upload"
      data-testid="upload-form"
      onSubmit={(e) => {
        e.preventDefault();
        const input = e.currentTarget.elements.namedItem("files") as HTMLInputElement | null;
        setChosen([...(input?.files ?? [])].map((f) => ({ name: f.name, size: f.size })));
        setResult(null);
      }}
    >
      <label>
        Files of one import (plans.csv, members.csv, coverage.csv, orders.csv, claim_lines.csv — any of them)
        <input type="file" name="files" accept=".csv,text/csv,.ndjson,.json" multiple required data-testid="upload-files" onChange={() => setChosen(null)} />
      </label>
      <button type="submit" disabled={progress !== null}>
        Check and import…
      </button>
      {chosen && progress === null ? (
        <div className="confirm" role="group" aria-labelledby="confirm-title" data-testid="upload-confirm">
          <p id="confirm-title">
            <strong>Import these {chosen.length} file{chosen.length === 1 ? "" : "s"}?</strong> Rows whose key is already loaded (a member id, a
            plan id, an order id, a claim line) are updated with these files&apos; values; the import then reports how many were new, changed and
            unchanged. An import with any problem writes nothing.
          </p>
          <ul>
            {chosen.map((f) => (
              <li key={f.name}>
                <code>{f.name}</code> ({f.size.toLocaleString("en-US")} bytes)
              </li>
            ))}
          </ul>
          <button
            type="button"
            data-testid="upload-confirm-button"
            onClick={() => {
              setChosen(null);
              if (formRef.current) submit(formRef.current);
            }}
          >
            Import and update existing rows
          </button>{" "}
          <button type="button" className="secondary" onClick={() => setChosen(null)}>
            Cancel
          </button>
        </div>
      ) : null}
      {progress !== null ? (
        <p role="status">
          <progress value={progress} max={1} /> {progress < 1 ? `Uploading ${(progress * 100).toFixed(0)}%` : "Checking and loading…"}
        </p>
      ) : null}
      {error ? <p className="notice" role="alert">{error}</p> : null}
      {result ? (
        <div role="status" data-testid="upload-result">
          {result.ok ? (
            <p>
              Imported (import #{result.batchId}):{" "}
              {result.files?.map((f) => `${f.file} ${f.new} new, ${f.changed} changed, ${f.unchanged} unchanged`).join("; ")}
              {result.files?.some((f) => f.changed > 0) ? " — rows already loaded were changed." : ""}
            </p>
          ) : (
            <>
              <p className="notice">
                Rejected: {result.problemCount} problem{result.problemCount === 1 ? "" : "s"}. Nothing was written.
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
      ) : null}
    </form>
  );
}
