"use client";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section className="panel" role="alert">
      <h1>This page could not be loaded</h1>
      <p>The warehouse did not answer: {error.digest ? `error ${error.digest} (see the server log)` : error.message}.</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </section>
  );
}
