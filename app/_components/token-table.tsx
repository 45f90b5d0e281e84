import type { TokenSummary } from "@/lib/auth/users";
import { formatDate } from "@/lib/format";
import { ScrollArea } from "./scroll-area";

/** API tokens with their expiry and last use; `revoke` is a server action taking the id. */
export function TokenTable({ tokens, revoke, showOwner, testId }: { tokens: TokenSummary[]; revoke: (form: FormData) => Promise<void>; showOwner: boolean; testId: string }) {
  if (tokens.length === 0) return <p className="not-available">No API tokens.</p>;
  const day = (iso: string | null) => (iso ? formatDate(iso.slice(0, 10)) : "—");
  return (
    <ScrollArea label="API tokens">
      <table data-testid={testId} className="stack-on-phone">
        <caption>API tokens: a token acts as its owner on every page and report</caption>
        <thead>
          <tr>
            {showOwner ? <th scope="col">Owner</th> : null}
            <th scope="col">Name</th>
            <th scope="col">Starts with</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id} data-token={t.name}>
              {showOwner ? <td data-label="Owner">{t.ownerEmail}</td> : null}
              <th scope="row" data-label="Name">{t.name}</th>
              <td data-label="Starts with">
                <code>{t.start ?? ""}…</code>
              </td>
              <td data-label="Created">{day(t.createdAt)}</td>
              <td data-label="Expires">{day(t.expiresAt)}</td>
              <td data-label="Last used">{t.lastUsedAt ? `${t.lastUsedAt.slice(0, 16).replace("T", " ")} UTC` : "never"}</td>
              <td data-label="State">
                {t.revoked ? (
                  "revoked"
                ) : (
                  <form action={revoke}>
                    <input type="hidden" name="id" value={t.id} />
                    <button type="submit" className="link-button" aria-label={`Revoke token ${t.name}`}>
                      Revoke
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollArea>
  );
}
