/** How long a download's object URL stays valid, ms. */
const DOWNLOAD_URL_LIFETIME_MS = 30_000;

/** Makes the browser save `text` as a file called `name`. */
export function downloadText(name: string, text: string, type = "application/json"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // Not at once: some browsers read the file after click() returns, and a
  // URL revoked by then saves nothing.
  setTimeout(() => URL.revokeObjectURL(url), DOWNLOAD_URL_LIFETIME_MS);
}
